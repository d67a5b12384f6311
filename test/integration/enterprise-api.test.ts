import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { applyEnterpriseRecords } from '../../api/services/enterprises/apply.ts'
import { outboxHandlers } from '../../api/worker/index.ts'
import { createOutboxWorker } from '../../api/worker/outbox-worker.ts'
import { generateDemoRecords } from '../../scripts/demo/generate.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'

let t: TestContext
let app: ReturnType<typeof createApp>
const records = generateDemoRecords(200)

beforeAll(async () => {
  t = await createTestContext()
  app = createApp(t.deps)
  await applyEnterpriseRecords({
    ctx: t.deps,
    input: { records, source: 'test', today: '2026-11-26' },
  })
  const worker = createOutboxWorker({
    db: t.deps.db,
    handlers: outboxHandlers(t.deps),
    logger: t.deps.logger,
  })
  while ((await worker.runOnce()) > 0);
})
afterAll(() => t.cleanup())

describe('GET /api/enterprises', () => {
  it('pages through the directory with the documented item shape', async () => {
    const res = await app.request('/api/enterprises?pageSize=5&page=2')
    expect(res.status).toBe(200)
    const body = (await res.json()) as { items: Record<string, unknown>[]; total: number }
    expect(body).toMatchObject({ total: 200, page: 2, pageSize: 5 })
    expect(body.items).toHaveLength(5)
    expect(Object.keys(body.items[0]!)).toEqual(
      expect.arrayContaining([
        'uscc',
        'name',
        'county',
        'countyName',
        'sector',
        'status',
        'certifiedAt',
        'validUntil',
        'address',
      ]),
    )
  })

  it('filters by county, sector and status together', async () => {
    const res = await app.request(
      '/api/enterprises?county=331102&sector=market&status=active&pageSize=100',
    )
    const body = (await res.json()) as {
      items: { county: string; sector: string; status: string }[]
      total: number
    }
    const expected = records.filter(
      (r) => r.countyCode === '331102' && r.sectorCode === 'market' && r.status === 'active',
    )
    expect(body.total).toBe(expected.length)
    expect(
      body.items.every(
        (i) => i.county === '331102' && i.sector === 'market' && i.status === 'active',
      ),
    ).toBe(true)
  })

  it('answers a bad page size with the error shape in Chinese', async () => {
    const res = await app.request('/api/enterprises?pageSize=1000')
    expect(res.status).toBe(400)
    const body = (await res.json()) as {
      error: { code: string; message: string; requestId: string }
    }
    expect(body.error.code).toBe('VALIDATION_FAILED')
    expect(body.error.message).toContain('pageSize')
    expect(body.error.requestId).toBeTruthy()
  })
})

describe('GET /api/enterprises/:uscc', () => {
  it('returns one business with its certification history', async () => {
    const revoked = records.find((r) => r.status === 'revoked')!
    const res = await app.request(`/api/enterprises/${revoked.uscc}`)
    expect(res.status).toBe(200)
    const body = (await res.json()) as { status: string; history: { kind: string }[] }
    expect(body.status).toBe('revoked')
    expect(body.history.map((h) => h.kind)).toEqual(['revoked', 'certified'])
  })

  it('answers 404 with the error shape for an unknown code', async () => {
    const res = await app.request('/api/enterprises/91331102MA2E0000X1')
    expect(res.status).toBe(404)
    const body = (await res.json()) as { error: { code: string; message: string } }
    expect(body.error.code).toBe('NOT_FOUND')
    expect(body.error.message).toContain('未找到')
  })
})

describe('GET /api/search', () => {
  it('finds a business by part of its Chinese name', async () => {
    const res = await app.request(`/api/search?q=${encodeURIComponent('菜场')}`)
    expect(res.status).toBe(200)
    const body = (await res.json()) as { enterprises: { name: string }[] }
    expect(body.enterprises.map((e) => e.name)).toContain('莲都区万象菜场')
  })
})

describe('health', () => {
  it('reports ready when PostgreSQL and Meilisearch answer', async () => {
    const res = await app.request('/api/ready')
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ checks: { postgres: 'ok', meilisearch: 'ok' } })
  })
})

describe('credit-code lookups', () => {
  it('finds businesses by the start of their credit code, in the directory and in search', async () => {
    const wanted = records.filter((r) => r.uscc.startsWith('91331102'))
    const list = await app.request('/api/enterprises?q=91331102&pageSize=100')
    const listed = (await list.json()) as { items: { uscc: string }[]; total: number }
    expect(listed.total).toBe(wanted.length)
    expect(listed.items.every((i) => i.uscc.startsWith('91331102'))).toBe(true)

    const one = records[5]!
    const search = await app.request(`/api/search?q=${one.uscc.toLowerCase()}`)
    const found = (await search.json()) as { enterprises: { uscc: string }[] }
    expect(found.enterprises.map((e) => e.uscc)).toEqual([one.uscc])
  })

  it('lists a code prefix in code order (one page read straight off the primary key)', async () => {
    const wanted = records
      .map((r) => r.uscc)
      .filter((c) => c.startsWith('913311'))
      .sort()
    const search = await app.request('/api/search?q=913311&limit=5')
    const found = (await search.json()) as { enterprises: { uscc: string }[] }
    expect(found.enterprises.map((e) => e.uscc)).toEqual(wanted.slice(0, 5))

    const list = await app.request('/api/enterprises?q=913311&page=2&pageSize=5')
    const listed = (await list.json()) as { items: { uscc: string }[]; total: number }
    expect(listed.total).toBe(wanted.length)
    expect(listed.items.map((i) => i.uscc)).toEqual(wanted.slice(5, 10))
  })
})
