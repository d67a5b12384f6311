import type { Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { countAttempt, type Limit } from '../../api/services/limits/rate-limit.ts'
import { completeDeps } from '../../api/wiring/deps-from-config.ts'
import { createDb } from '../../db/client.ts'
import type { Database } from '../../db/database.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { awayFromWindowEdge } from '../support/windows.ts'

/**
 * Issue 26: every per-address and per-phone limit holds within 10 % when a concurrent burst is
 * spread over replicas. Each replica here is an app with its own connection pool (and so its own
 * in-memory search counter) on the one database, as separate processes would be.
 */
let t: TestContext
let replicas: { db: Kysely<Database>; app: ReturnType<typeof createApp> }[]

const searchLimit = 180
const complaintsPerAddress = 10
const complaintsPerPhone = 5

beforeAll(async () => {
  t = await createTestContext({
    env: {
      SEARCH_LIMIT_PER_ADDRESS: String(searchLimit),
      COMPLAINT_LIMIT_PER_ADDRESS: String(complaintsPerAddress),
      COMPLAINT_LIMIT_PER_PHONE: String(complaintsPerPhone),
    },
  })
  replicas = [0, 1, 2].map(() => {
    const db = createDb({ connectionString: t.databaseUrl, max: 5 })
    const deps = completeDeps(t.deps.config, { db, search: t.deps.search, logger: t.deps.logger })
    return { db, app: createApp(deps) }
  })
})
afterAll(async () => {
  await Promise.all(replicas.map((r) => r.db.destroy()))
  await t.cleanup()
})

/** `count` requests at once, the i-th to replica i mod 3; their statuses. */
async function burst(count: number, request: (i: number) => [string, RequestInit, string]) {
  const responses = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const [path, init, address] = request(i)
      return replicas[i % replicas.length]!.app.request(path, init, { clientAddress: address })
    }),
  )
  return responses.map((r) => r.status)
}

const tally = (statuses: number[]) => {
  const refused = statuses.filter((s) => s === 429).length
  return { answered: statuses.length - refused, refused }
}

/** Within 10 % of the limit: not over it by more, and not refusing what it should let through. */
function expectWithinTenPercent(answered: number, limit: number) {
  expect(answered).toBeLessThanOrEqual(limit * 1.1)
  expect(answered).toBeGreaterThanOrEqual(limit * 0.9)
}

describe('limits under a concurrent burst spread over three replicas', () => {
  it('answers at most the search limit plus 10 % of 300 searches from one address', async () => {
    await awayFromWindowEdge(60, 20_000)
    const statuses = await burst(300, () => [
      `/api/search?q=${encodeURIComponent('菜场')}`,
      { headers: { accept: 'application/json' } },
      '203.0.113.61',
    ])
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true)
    expectWithinTenPercent(tally(statuses).answered, searchLimit)
    // Every replica now refuses that address, and still answers another one.
    for (const { app } of replicas) {
      const again = await app.request('/api/search?q=眼镜', {}, { clientAddress: '203.0.113.61' })
      expect(again.status).toBe(429)
      expect(
        (await app.request('/api/search?q=眼镜', {}, { clientAddress: '203.0.113.62' })).status,
      ).toBe(200)
    }
  })

  it('answers at most the credit-record limit plus 10 % of 300 lookups from one address', async () => {
    await awayFromWindowEdge(60, 20_000)
    const statuses = await burst(300, () => [
      '/api/enterprises/91331102MA2E0000X1/record',
      {},
      '203.0.113.63',
    ])
    // No business has that code: a lookup let through answers 404.
    expect(statuses.every((s) => s === 404 || s === 429)).toBe(true)
    expectWithinTenPercent(tally(statuses).answered, searchLimit)
  })

  it('files exactly COMPLAINT_LIMIT_PER_ADDRESS of 30 complaints sent at once from one address', async () => {
    await awayFromWindowEdge(3600, 30_000)
    const statuses = await burst(30, (i) => [
      '/api/complaints',
      complaintRequest({ phone: `1370000${String(1000 + i)}`, description: `同一网络第 ${i} 份` }),
      '203.0.113.64',
    ])
    expect(statuses.every((s) => s === 201 || s === 429)).toBe(true)
    expect(tally(statuses).answered).toBe(complaintsPerAddress)
  })

  it('files exactly COMPLAINT_LIMIT_PER_PHONE of 15 complaints sent at once with one phone', async () => {
    await awayFromWindowEdge(3600, 30_000)
    const statuses = await burst(15, (i) => [
      '/api/complaints',
      complaintRequest({ phone: '13700002222', description: `同一电话第 ${i} 份` }),
      `198.51.100.${100 + i}`,
    ])
    expect(statuses.every((s) => s === 201 || s === 429)).toBe(true)
    expect(tally(statuses).answered).toBe(complaintsPerPhone)
  })

  it('checks exactly 30 of 60 wrong query codes sent at once from one address', async () => {
    // Wrong tries per address, all cases: 30 an hour (track-limits.ts, rule 2).
    await awayFromWindowEdge(3600, 20_000)
    const statuses = await burst(60, (i) => [
      `/api/complaints/JL20260101-${70000 + i}`,
      { headers: { 'x-query-code': 'AAAA-AAAA' } },
      '203.0.113.65',
    ])
    expect(statuses.every((s) => s === 404 || s === 429)).toBe(true)
    expect(tally(statuses).answered).toBe(30)
  })

  it('lets exactly the maximum of 300 attempts through on every limit counted before it is checked', async () => {
    // Sign-in throttles, query-code recovery, Open311 keys and the SMS cap all count this way.
    const limit: Limit = {
      bucket: `test:burst:${Math.random().toString(36).slice(2)}`,
      max: 180,
      windowSeconds: 3600,
      message: '测试',
    }
    const now = Date.now()
    const totals = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        countAttempt(replicas[i % replicas.length]!.db, [limit], now),
      ),
    )
    const within = totals.filter((m) => (m.get(limit.bucket) ?? 0) <= limit.max).length
    expect(within).toBe(limit.max)
  })
})

function complaintRequest(overrides: { phone: string; description: string }): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      kind: 'complaint',
      category: 'short_weight',
      county: '331102',
      merchantName: '城东菜场 12 号摊位',
      address: '莲都区城东菜场 12 号',
      occurredAt: '2026-11-20T09:30',
      name: '王小明',
      consent: true,
      ...overrides,
      description: `买了一斤猪肉，回家复秤只有八两。${overrides.description}，内容各不相同。`,
    }),
  }
}
