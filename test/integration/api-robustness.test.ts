import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { applyEnterpriseRecords } from '../../api/services/enterprises/apply.ts'
import { generateDemoRecords } from '../../scripts/demo/generate.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'

let t: TestContext
let app: ReturnType<typeof createApp>

beforeAll(async () => {
  t = await createTestContext()
  app = createApp(t.deps)
  await applyEnterpriseRecords({
    ctx: t.deps,
    input: { records: generateDemoRecords(30), source: 'test', today: '2026-11-26' },
  })
})
afterAll(() => t.cleanup())

/** Values a careless or hostile client might put in a query string. */
const nasty = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.integer().map(String),
  fc.double().map(String),
  fc.constantFrom('', ' ', '-1', '0', '1e309', 'NaN', 'null', '[]', '{}', "'", '"', '\\', '%', '_'),
  fc.constantFrom('active', 'REVOKED', '331102', 'market', '菜场', "' OR 1=1 --", '<script>'),
  fc.string({ minLength: 200, maxLength: 5_000 }),
)
const params = ['q', 'county', 'sector', 'status', 'page', 'pageSize', 'limit', 'unknown']

function queryOf(entries: [string, string][]) {
  const search = new URLSearchParams()
  for (const [k, v] of entries) search.append(k, v)
  return search.toString()
}

interface ErrorShape {
  error: { code: string; message: string; requestId: string }
}

function expectErrorShape(body: unknown) {
  const { error } = body as ErrorShape
  expect(typeof error.code).toBe('string')
  expect(error.message).toMatch(/[\u4e00-\u9fff]/)
  expect(error.requestId).toBeTruthy()
}

describe('bad input never becomes a server error', () => {
  for (const path of ['/api/enterprises', '/api/search']) {
    it(`${path}: any query string answers 2xx or 4xx, errors in the one shape`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(fc.constantFrom(...params), nasty), { maxLength: 6 }),
          async (entries) => {
            const res = await app.request(`${path}?${queryOf(entries)}`)
            expect(res.status).toBeLessThan(500)
            if (res.status >= 400) expectErrorShape(await res.json())
          },
        ),
        { numRuns: 150 },
      )
    })
  }

  it('/api/enterprises/:uscc: any path segment answers 200, 400 or 404', async () => {
    await fc.assert(
      fc.asyncProperty(nasty, async (segment) => {
        const res = await app.request(`/api/enterprises/${encodeURIComponent(segment)}`)
        expect([200, 400, 404]).toContain(res.status)
        if (res.status !== 200) expectErrorShape(await res.json())
      }),
      { numRuns: 150 },
    )
  })

  it('/api/enterprises/:uscc/record: any path segment and query answers 200, 400 or 404', async () => {
    await fc.assert(
      fc.asyncProperty(
        nasty,
        fc.array(fc.tuple(fc.constantFrom(...params), nasty), { maxLength: 4 }),
        async (segment, entries) => {
          const res = await app.request(
            `/api/enterprises/${encodeURIComponent(segment)}/record?${queryOf(entries)}`,
          )
          expect([200, 304, 400, 404]).toContain(res.status)
          if (res.status >= 400) expectErrorShape(await res.json())
        },
      ),
      { numRuns: 150 },
    )
  })

  it('answers an unknown but well-formed credit code with 404 in the error shape', async () => {
    const res = await app.request('/api/enterprises/91331102MA2E0000X1')
    expect(res.status).toBe(404)
    const body = (await res.json()) as ErrorShape
    expect(body.error.code).toBe('NOT_FOUND')
    expect(res.headers.get('x-request-id')).toBe(body.error.requestId)
  })

  it('refuses a body over the limit with 413 before reading it all', async () => {
    const limit = t.deps.config.BODY_LIMIT_BYTES
    const res = await app.request('/api/enterprises', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(limit + 1) },
      body: 'x'.repeat(limit + 1),
    })
    expect(res.status).toBe(413)
    const body = (await res.json()) as ErrorShape
    expect(body.error.code).toBe('PAYLOAD_TOO_LARGE')
  })
})

describe('the public contract', () => {
  it('describes every route in /api/openapi.json, at the path it is served at', async () => {
    const res = await app.request('/api/openapi.json')
    expect(res.status).toBe(200)
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> }
    expect(doc.openapi).toBe('3.1.0')
    const served = app.routes
      .filter((r) => r.method !== 'ALL' && r.path !== '/api/openapi.json')
      .map((r) => r.path.replace(/:(\w+)/g, '{$1}'))
    expect(served).toContain('/api/complaints')
    expect(Object.keys(doc.paths).sort()).toEqual([...new Set(served)].sort())
  })

  it('sends the security headers on API answers', async () => {
    const res = await app.request('/api/health')
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('referrer-policy')).toBeTruthy()
  })

  it('writes one log line per request with its id and without the query string', async () => {
    t.logLines.length = 0
    const res = await app.request('/api/enterprises?q=13812345678&pageSize=1', {
      headers: { 'x-query-code': 'SECRET-CODE-123' },
    })
    const id = res.headers.get('x-request-id')
    const lines = t.logLines.filter((l) => l.includes('"msg":"request"'))
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain(id)
    expect(t.logLines.join('\n')).not.toContain('13812345678')
    expect(t.logLines.join('\n')).not.toContain('SECRET-CODE-123')
  })
})
