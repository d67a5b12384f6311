import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiClient } from '../../api/client/index.ts'
import { createApp } from '../../api/http/app.ts'
import { openApiDocument } from '../../api/http/openapi.ts'
import { applyEnterpriseRecords } from '../../api/services/enterprises/apply.ts'
import { outboxHandlers } from '../../api/worker/index.ts'
import { createOutboxWorker } from '../../api/worker/outbox-worker.ts'
import { generateDemoRecords } from '../../scripts/demo/generate.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { conformanceMiddleware, type OpenApiDocument } from '../support/openapi-conformance.ts'

// Issue 27: the main public flows, driven only through the client generated from the OpenAPI
// document (api/client/), against the app on a real PostgreSQL and Meilisearch. Every answer is
// also checked against the document the app serves (status listed, JSON body as described), so
// a route that changes without its document fails here.

let t: TestContext
let app: ReturnType<typeof createApp>
let client: ReturnType<typeof createApiClient>
let served: OpenApiDocument
const records = generateDemoRecords(60)

type Schema = Record<string, unknown>

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

  const res = await app.request('/api/openapi.json')
  expect(res.status).toBe(200)
  served = (await res.json()) as OpenApiDocument
  client = createApiClient({
    baseUrl: t.deps.config.SITE_URL,
    // Into the app as the web server hands it requests, from one documentation address.
    fetch: async (request: Request) =>
      app.request(request, undefined, { clientAddress: '192.0.2.27' }),
  })
  client.use(conformanceMiddleware(served))
})
afterAll(() => t.cleanup())

describe('the OpenAPI document the client is generated from', () => {
  it('is the one /api/openapi.json serves, with this site as its server', () => {
    const exported = JSON.parse(JSON.stringify(openApiDocument(t.deps.config.SITE_URL))) as unknown
    expect(served).toEqual(exported)
    expect((served as unknown as { servers: { url: string }[] }).servers[0]!.url).toBe(
      new URL(t.deps.config.SITE_URL).origin,
    )
  })
})

describe('the public flows through the typed client', () => {
  it('lists the directory, filtered by county', async () => {
    const county = records[0]!.countyCode
    const { data, error, response } = await client.GET('/api/enterprises', {
      params: { query: { county, pageSize: 5 } },
    })
    expect(error, JSON.stringify(error)).toBeUndefined()
    expect(response.status).toBe(200)
    expect(data!.page).toBe(1)
    expect(data!.pageSize).toBe(5)
    expect(data!.total).toBe(records.filter((r) => r.countyCode === county).length)
    expect(data!.items.length).toBeGreaterThan(0)
    for (const item of data!.items) expect(item.county).toBe(county)

    const first = data!.items[0]!
    const one = await client.GET('/api/enterprises/{uscc}', {
      params: { path: { uscc: first.uscc } },
    })
    expect(one.data!.name).toBe(first.name)
  })

  it('answers a bad query with the documented error body', async () => {
    const { data, error, response } = await client.GET('/api/enterprises', {
      params: { query: { pageSize: 1000 } },
    })
    expect(data).toBeUndefined()
    expect(response.status).toBe(400)
    expect(error!.error.code).toBe('VALIDATION_FAILED')
    expect(error!.error.message).toContain('pageSize')
  })

  it('searches the public indexes', async () => {
    const wanted = records[1]!
    const { data, error } = await client.GET('/api/search', {
      params: { query: { q: wanted.name, limit: 5 } },
    })
    expect(error, JSON.stringify(error)).toBeUndefined()
    expect(data!.enterprises.map((e) => e.uscc)).toContain(wanted.uscc)
    expect(Array.isArray(data!.notices)).toBe(true)
  })

  it('files a complaint and tracks it with the tracking number and query code', async () => {
    const yesterday = `${new Date(Date.now() - 86_400_000).toISOString().slice(0, 19)}Z`
    const filed = await client.POST('/api/complaints', {
      body: {
        kind: 'complaint',
        category: 'short_weight',
        county: '331102',
        merchantName: '城东农贸市场 12 号摊位',
        address: '莲都区城东农贸市场 12 号摊位',
        occurredAt: yesterday,
        description: '买排骨 2 斤，回家复称只有 1 斤 7 两，怀疑电子秤被改动。',
        name: '王女士',
        phone: '13800001234',
        consent: true,
        claimedQuantity: 2,
        measuredQuantity: 1.7,
        unit: 'jin',
      },
    })
    expect(filed.error, JSON.stringify(filed.error)).toBeUndefined()
    expect(filed.response.status).toBe(201)
    const receipt = filed.data!
    expect(receipt.status).toBe('received')
    expect(receipt.trackingNo).toMatch(/^JL\d{8}-\d{4}-\d{4}$/)

    const tracked = await client.POST('/api/complaints/lookup', {
      body: { trackingNo: receipt.trackingNo, queryCode: receipt.queryCode },
    })
    expect(tracked.error, JSON.stringify(tracked.error)).toBeUndefined()
    const view = tracked.data!
    expect(view).toMatchObject({
      trackingNo: receipt.trackingNo,
      kind: 'complaint',
      category: 'short_weight',
      status: 'received',
    })
    expect(Date.parse(view.dueAt)).toBe(Date.parse(receipt.dueAt))
    expect(view.timeline.length).toBeGreaterThan(0)
    // No personal data in what a tracking number and code show.
    expect(JSON.stringify(view)).not.toMatch(/王女士|13800001234/)

    const byHeader = await client.GET('/api/complaints/{trackingNo}', {
      params: {
        path: { trackingNo: receipt.trackingNo },
        header: { 'x-query-code': receipt.queryCode },
      },
    })
    expect(byHeader.data).toEqual(view)
  })

  it('answers a wrong query code as an unknown number, as documented', async () => {
    const { error, response } = await client.POST('/api/complaints/lookup', {
      body: { trackingNo: 'JL20261206-0000-0000', queryCode: 'AAAA-AAAA' },
    })
    expect(response.status).toBe(404)
    expect(error!.error.code).toBe('NOT_FOUND')
  })
})

describe('the conformance check itself', () => {
  it('fails an answer that the document does not describe', async () => {
    // The directory's items as the document describes them, with one field taken away.
    const altered = structuredClone(served)
    const schema = altered.components!.schemas!.Enterprise as { properties: Schema }
    expect(schema.properties.countyName).toBeDefined()
    delete schema.properties.countyName
    const strict = createApiClient({
      baseUrl: t.deps.config.SITE_URL,
      fetch: async (request: Request) => app.request(request),
    })
    strict.use(conformanceMiddleware(altered))
    await expect(
      strict.GET('/api/enterprises', { params: { query: { pageSize: 1 } } }),
    ).rejects.toThrow(/does not match the document/)
  })
})
