import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { applyEnterpriseRecords } from '../../api/services/enterprises/apply.ts'
import { generateDemoRecords } from '../../scripts/demo/generate.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { signedInOperator, type TestOperator } from '../support/operators.ts'
import { insertDrawnVisit } from '../support/visits.ts'

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

describe('the visit console routes never answer a fuzzed request with a server error', () => {
  const county = '331102'
  const nearRecord = fc.record(
    {
      version: fc.oneof(fc.nat(3), fc.integer(), fc.double(), nasty),
      visitedOn: fc.oneof(fc.constantFrom('2026-12-01', '2026-02-30', '9999-99-99'), nasty),
      inspectorIds: fc.oneof(
        fc.array(fc.oneof(nasty, fc.nat().map(String)), { maxLength: 6 }),
        nasty,
      ),
      instruments: fc.oneof(
        fc.array(
          fc.record(
            {
              kind: fc.oneof(fc.constant('加油机'), nasty),
              makerModel: nasty,
              serialNo: nasty,
              verificationValid: fc.oneof(fc.boolean(), nasty),
              passed: fc.oneof(fc.boolean(), nasty),
              measuredError: nasty,
            },
            { requiredKeys: [] },
          ),
          { maxLength: 60 },
        ),
        nasty,
      ),
      findings: nasty,
      result: fc.oneof(fc.constantFrom('pass', 'fail'), nasty),
      rectificationDue: fc.oneof(
        fc.constant(null),
        fc.constantFrom('2026-12-31', '2026-01-01'),
        nasty,
      ),
      followUpOn: fc.oneof(fc.constant(null), fc.constant('2026-12-02'), nasty),
      followUpResult: fc.oneof(
        fc.constant(null),
        fc.constantFrom('rectified', 'not_rectified'),
        nasty,
      ),
      followUpNote: nasty,
      reason: nasty,
    },
    { requiredKeys: [] },
  )

  it('POST /api/admin/visits/:id: any JSON body answers 2xx or 4xx in the one error shape', async () => {
    const handler = await signedInOperator(t.deps, 'county_handler', county)
    const other = await signedInOperator(t.deps, 'county_handler', county)
    const { visitId } = await insertDrawnVisit(t.deps.db, {
      countyCode: county,
      inspectorIds: [handler.operator.id, other.operator.id],
    })
    await fc.assert(
      fc.asyncProperty(fc.oneof(nearRecord, fc.jsonValue()), async (body) => {
        const res = await app.request(`/api/admin/visits/${visitId}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...handler.headers },
          body: JSON.stringify(body),
        })
        expect(res.status).toBeLessThan(500)
        if (res.status >= 400) expectErrorShape(await res.json())
      }),
      { numRuns: 200 },
    )
  })

  it('any visit or photo id in the path, and any upload, answers 2xx or 4xx', async () => {
    const handler = await signedInOperator(t.deps, 'county_handler', county)
    const { visitId } = await insertDrawnVisit(t.deps.db, {
      countyCode: county,
      inspectorIds: [handler.operator.id],
    })
    await fc.assert(
      fc.asyncProperty(
        nasty,
        fc.uint8Array({ maxLength: 2_000 }),
        fc.oneof(fc.constant('photos'), nasty),
        async (segment, bytes, field) => {
          const id = encodeURIComponent(segment)
          for (const path of [`/api/admin/visits/${id}`, `/api/admin/visit-photos/${id}`]) {
            const res = await app.request(path, { headers: handler.headers })
            expect(res.status).toBeLessThan(500)
          }
          const form = new FormData()
          form.append(
            field,
            new File([Buffer.from(bytes)], segment.slice(0, 50), { type: 'image/jpeg' }),
          )
          const uploaded = await app.request(`/api/admin/visits/${visitId}/photos`, {
            method: 'POST',
            headers: handler.headers,
            body: form,
          })
          expect(uploaded.status).toBeLessThan(500)
          if (uploaded.status >= 400) expectErrorShape(await uploaded.json())
        },
      ),
      { numRuns: 100 },
    )
  })
})

describe('the credit-record console routes never answer 5xx (issue 22)', () => {
  let admin: TestOperator
  let uscc: string
  const fields = [
    'textVersion',
    'signedOn',
    'signerRole',
    'reason',
    'itemKind',
    'itemId',
    'receivedOn',
    'statement',
    'version',
    'outcome',
    'outcomeNote',
    'effect',
    'publicNote',
    'result',
    'finding',
    'penalty',
  ]
  const bodies = fc.oneof(
    fc.jsonValue(),
    fc.dictionary(fc.constantFrom(...fields), fc.oneof(nasty, fc.jsonValue())),
  )
  beforeAll(async () => {
    admin = await signedInOperator(t.deps, 'city_admin')
    const first = await t.deps.db.selectFrom('enterprises').select('uscc').executeTakeFirstOrThrow()
    uscc = first.uscc
  })

  it('GET /api/admin/records: any query string answers 2xx or 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom('q', 'page', 'unknown'), nasty), { maxLength: 4 }),
        async (entries) => {
          const res = await app.request(`/api/admin/records?${queryOf(entries)}`, {
            headers: admin.headers,
          })
          expect(res.status).toBeLessThan(500)
          if (res.status >= 400) expectErrorShape(await res.json())
        },
      ),
      { numRuns: 100 },
    )
  })

  it('any path segment of /api/admin/records/:uscc/... answers 2xx or 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(nasty, nasty, async (code, id) => {
        const c = encodeURIComponent(code)
        const i = encodeURIComponent(id)
        for (const path of [
          `/api/admin/records/${c}`,
          `/api/admin/records/${c}/commitments/${i}/withdraw`,
          `/api/admin/records/${uscc}/objections/${i}/decision`,
        ]) {
          const res = await app.request(path, {
            method: path.endsWith(c) ? 'GET' : 'POST',
            headers: { ...admin.headers, 'content-type': 'application/json' },
            ...(path.endsWith(c) ? {} : { body: JSON.stringify({ reason: '撤回' }) }),
          })
          expect(res.status, path).toBeLessThan(500)
        }
      }),
      { numRuns: 60 },
    )
  })

  it('any JSON body to its POST routes answers 2xx or 4xx, errors in the one shape', async () => {
    const paths = [
      `/api/admin/records/${uscc}/commitments`,
      `/api/admin/records/${uscc}/commitments/1/withdraw`,
      `/api/admin/records/${uscc}/objections`,
      `/api/admin/records/${uscc}/objections/1/decision`,
    ]
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), bodies, async (path, body) => {
        const res = await app.request(path, {
          method: 'POST',
          headers: { ...admin.headers, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
        expect(res.status, path).toBeLessThan(500)
        if (res.status >= 400) expectErrorShape(await res.json())
      }),
      { numRuns: 200 },
    )
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
    // Open311's paths end in their format (`requests/{id}.{format}`), which no router pattern
    // expresses: one handler serves them, and test/integration/open311.test.ts calls each one.
    const documented = Object.keys(doc.paths).filter((p) => !p.startsWith('/open311/'))
    expect(documented.sort()).toEqual([...new Set(served)].sort())
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

describe('the console’s 行政处罚 routes never answer a 5xx (issue 22)', () => {
  const penaltyParams = ['q', 'county', 'state', 'page', 'pageSize', 'unknown']
  const fields = [
    'uscc',
    'name',
    'county',
    'sector',
    'decisionNo',
    'decidedOn',
    'kind',
    'violation',
    'penalty',
    'legalBasis',
    'caseTrackingNo',
    'version',
    'reason',
  ]
  const body = fc.dictionary(
    fc.constantFrom(...fields),
    fc.oneof(
      nasty,
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(nasty, { maxLength: 2 }),
    ),
  )

  it('GET /api/admin/penalties: any query string answers 2xx or 4xx', async () => {
    const { headers } = await signedInOperator(t.deps, 'county_handler', '331102')
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom(...penaltyParams), nasty), { maxLength: 6 }),
        async (entries) => {
          const res = await app.request(`/api/admin/penalties?${queryOf(entries)}`, { headers })
          expect(res.status).toBeLessThan(500)
          if (res.status >= 400) expectErrorShape(await res.json())
        },
      ),
      { numRuns: 100 },
    )
  })

  it('POST /api/admin/penalties and …/{id}/edit: any body or id answers 2xx or 4xx', async () => {
    const { headers } = await signedInOperator(t.deps, 'city_admin')
    const [business] = generateDemoRecords(1)
    const entered = await app.request('/api/admin/penalties', {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({
        uscc: business!.uscc,
        decisionNo: '丽市监罚〔2026〕模糊测试号',
        decidedOn: '2026-11-20',
        kind: 'fine',
        violation: '使用不合格的计量器具。',
        penalty: '罚款人民币 1,000 元。',
        legalBasis: '《中华人民共和国计量法实施细则》第四十三条',
      }),
    })
    expect(entered.status).toBe(201)
    const { id } = (await entered.json()) as { id: string }
    await fc.assert(
      fc.asyncProperty(body, fc.oneof(fc.constant(id), nasty), async (fields, target) => {
        for (const path of [
          '/api/admin/penalties',
          `/api/admin/penalties/${encodeURIComponent(target)}/edit`,
        ]) {
          const res = await app.request(path, {
            method: 'POST',
            headers: { ...headers, 'content-type': 'application/json' },
            body: JSON.stringify(fields),
          })
          expect(res.status, path).toBeLessThan(500)
          if (res.status >= 400) expectErrorShape(await res.json())
        }
        const read = await app.request(`/api/admin/penalties/${encodeURIComponent(target)}`, {
          headers,
        })
        expect(read.status).toBeLessThan(500)
      }),
      { numRuns: 100 },
    )
  })
})
