import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/app.ts'
import { clientKey } from '../../api/services/limits/client-key.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { awayFromWindowEdge } from '../support/windows.ts'

let t: TestContext
let app: ReturnType<typeof createApp>

interface Receipt {
  trackingNo: string
  queryCode: string
}

beforeAll(async () => {
  t = await createTestContext({
    env: { COMPLAINT_LIMIT_PER_ADDRESS: '1000', COMPLAINT_LIMIT_PER_PHONE: '1000' },
  })
  app = createApp(t.deps)
})
afterAll(() => t.cleanup())

let filed = 0
/** Files one anonymous 举报 (each with its own words) and returns its receipt. */
async function file(): Promise<Receipt> {
  filed++
  const res = await app.request(
    '/api/complaints',
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        kind: 'report',
        category: 'short_weight',
        county: '331102',
        merchantName: '城北菜场 3 号摊位',
        address: '莲都区城北菜场 3 号',
        occurredAt: '2026-11-20T09:30',
        description: `查询测试第 ${filed} 份：电子秤显示的重量比复秤多出二两。`,
        consent: true,
      }),
    },
    { clientAddress: '192.0.2.200' },
  )
  expect(res.status).toBe(201)
  return (await res.json()) as Receipt
}

const ask = async (trackingNo: string, queryCode: string, from: string) =>
  app.request(
    `/api/complaints/${encodeURIComponent(trackingNo)}`,
    { headers: { 'x-query-code': queryCode } },
    { clientAddress: from },
  )

/** Distinct wrong codes, none of them the receipt's. */
const wrongCodes = (n: number, right: string) =>
  Array.from({ length: n }, (_, i) => `WR${String(i).padStart(2, '2')}-ZZZZ`).filter(
    (c) => c !== right,
  )

const hitsOf = async (bucket: string) => {
  const rows = await t.deps.db
    .selectFrom('rateLimitHits')
    .select('hits')
    .where('bucket', '=', bucket)
    .execute()
  return rows.reduce((sum, r) => sum + r.hits, 0)
}

describe('query-code lookups under a burst of guesses', () => {
  it('checks at most five of 50 simultaneous wrong codes from one address, refuses the right code sent after them, and still answers the resident elsewhere', async () => {
    const receipt = await file()
    const stranger = '198.51.100.66'
    await awayFromWindowEdge(15 * 60, 30_000)

    const first = await Promise.all(
      wrongCodes(40, receipt.queryCode).map((code) => ask(receipt.trackingNo, code, stranger)),
    )
    // The right code travels with ten more wrong ones, once the limit is used up.
    const second = await Promise.all([
      ...wrongCodes(5, receipt.queryCode).map((code) => ask(receipt.trackingNo, code, stranger)),
      ask(receipt.trackingNo, receipt.queryCode, stranger),
      ...wrongCodes(5, receipt.queryCode).map((code) => ask(receipt.trackingNo, code, stranger)),
    ])
    const right = second.splice(5, 1)[0]!
    const statuses = [...first, ...second].map((r) => r.status)
    expect(statuses).toHaveLength(50)
    // A 404 is a code that was checked and was wrong; a 429 was refused before any check.
    expect(statuses.filter((s) => s === 404)).toHaveLength(5)
    expect(statuses.filter((s) => s === 429)).toHaveLength(45)
    expect(right.status).toBe(429)
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0)
    const refusal = (await right.json()) as { error: { code: string; message: string } }
    expect(refusal.error.code).toBe('RATE_LIMITED')
    expect(refusal.error.message).toMatch(/查询码输错次数过多.*分钟后再试/)
    // Every attempt was counted, the refused ones included.
    const strangerKey = clientKey(t.deps.privacy.hashKey, stranger)!
    expect(await hitsOf(`track:pair:${strangerKey}:${receipt.trackingNo}`)).toBe(51)

    // The stranger's guesses did not lock the resident out.
    const resident = await ask(receipt.trackingNo, receipt.queryCode, '203.0.113.5')
    expect(resident.status).toBe(200)
    expect(((await resident.json()) as { trackingNo: string }).trackingNo).toBe(receipt.trackingNo)
  })

  it('never slows down a resident who looks up their own case again and again', async () => {
    const receipt = await file()
    const home = '203.0.113.6'
    await awayFromWindowEdge(15 * 60, 20_000)
    // A wrong code first (a typo), then the right one twelve times.
    expect((await ask(receipt.trackingNo, 'TYPO-2222', home)).status).toBe(404)
    for (let i = 0; i < 12; i++) {
      expect((await ask(receipt.trackingNo, receipt.queryCode, home)).status).toBe(200)
    }
    // Only the typo is left on the counters.
    const homeKey = clientKey(t.deps.privacy.hashKey, home)!
    expect(await hitsOf(`track:pair:${homeKey}:${receipt.trackingNo}`)).toBe(1)
    expect(await hitsOf(`track:addr:${homeKey}`)).toBe(1)
    // Wrong codes still count: four more reach the limit, and then even the right one waits.
    for (let i = 0; i < 4; i++) {
      expect((await ask(receipt.trackingNo, `TYP${i + 2}-2222`, home)).status).toBe(404)
    }
    expect((await ask(receipt.trackingNo, receipt.queryCode, home)).status).toBe(429)
  })

  it('limits one address across many numbers, without touching other addresses', async () => {
    const receipts = await Promise.all(Array.from({ length: 7 }, () => file()))
    const prober = '198.51.100.77'
    await awayFromWindowEdge(3600, 30_000)
    // Five wrong codes against each of seven numbers: 35 tries, 30 allowed an hour.
    const answers = await Promise.all(
      receipts.flatMap((r) =>
        wrongCodes(5, r.queryCode).map((code) => ask(r.trackingNo, code, prober)),
      ),
    )
    const statuses = answers.map((r) => r.status)
    expect(statuses.filter((s) => s === 404)).toHaveLength(30)
    expect(statuses.filter((s) => s === 429)).toHaveLength(5)
    for (const r of receipts) {
      expect((await ask(r.trackingNo, r.queryCode, '203.0.113.7')).status).toBe(200)
    }
  })
})
