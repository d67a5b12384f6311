import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { signedInOperator, type TestOperator } from '../support/operators.ts'

// Issue 22, acceptance 7 for the campaign routes: fuzzed bodies, path segments and query
// strings never give a 5xx, and every refusal is the one error shape with a Chinese message.

let t: TestContext
let app: ReturnType<typeof createApp>
let admin: TestOperator
let campaignId: string

beforeAll(async () => {
  t = await createTestContext()
  app = createApp(t.deps)
  admin = await signedInOperator(t.deps, 'city_admin')
  const row = await t.deps.db
    .insertInto('inspectionCampaigns')
    .values({
      title: '模糊测试专项',
      kind: 'fuel_dispenser',
      startsOn: '2026-12-01',
      endsOn: '2026-12-31',
      countyCodes: ['331102'],
      sectorCodes: ['fuel_station'],
      drawSize: 1,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  campaignId = row.id
})
afterAll(() => t.cleanup())

const nasty = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.integer().map(String),
  fc.double().map(String),
  fc.constantFrom('', ' ', '-1', '0', '1e309', 'NaN', 'null', '[]', '{}', "'", '%', '_'),
  fc.constantFrom('331102', 'market', '2026-02-30', '91331102MA2E00000X', "' OR 1=1 --"),
  fc.string({ minLength: 200, maxLength: 3_000 }),
)

const value = fc.oneof(
  nasty,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(nasty, { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 8 }), nasty, { maxKeys: 3 }),
)

const fields = [
  'title',
  'kind',
  'startsOn',
  'endsOn',
  'counties',
  'sectors',
  'drawSize',
  'inspectorsPerVisit',
  'version',
  'reason',
  'uscc',
  'operatorId',
]

const body = fc.oneof(
  fc.dictionary(fc.constantFrom(...fields), value, { maxKeys: 8 }),
  fc.jsonValue(),
  fc.string(),
)

function expectErrorShape(json: unknown) {
  const { error } = json as { error: { code: string; message: string; requestId: string } }
  expect(typeof error.code).toBe('string')
  expect(error.message).toMatch(/[\u4e00-\u9fff]/)
  expect(error.requestId).toBeTruthy()
}

describe('campaign routes under fuzzed input', () => {
  const posts = () => [
    '/api/admin/campaigns',
    `/api/admin/campaigns/${campaignId}/draw`,
    `/api/admin/campaigns/${campaignId}/publish`,
    '/api/admin/recusals',
    '/api/admin/recusals/withdraw',
  ]

  it('any JSON body to any POST answers below 500, refusals in the one shape', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...posts()), body, async (path, sent) => {
        const res = await app.request(path, {
          method: 'POST',
          headers: { ...admin.headers, 'content-type': 'application/json' },
          body: typeof sent === 'string' ? sent : JSON.stringify(sent),
        })
        expect(res.status, path).toBeLessThan(500)
        if (res.status >= 400) expectErrorShape(await res.json())
      }),
      { numRuns: 200 },
    )
  })

  it('any path segment as a campaign id answers below 500, console and public alike', async () => {
    await fc.assert(
      fc.asyncProperty(
        nasty,
        fc.constantFrom('/api/admin/campaigns/', '/api/inspections/', 'POST /api/admin/campaigns/'),
        async (segment, base) => {
          const post = base.startsWith('POST ')
          const path = `${post ? base.slice(5) : base}${encodeURIComponent(segment)}${post ? '/draw' : ''}`
          const res = await app.request(path, {
            method: post ? 'POST' : 'GET',
            headers: { ...admin.headers, 'content-type': 'application/json' },
            ...(post ? { body: '{"version":0}' } : {}),
          })
          expect(res.status, path).toBeLessThan(500)
          if (res.status >= 400) expectErrorShape(await res.json())
        },
      ),
      { numRuns: 150 },
    )
  })

  it('any query string on the lists answers 200', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/api/admin/campaigns', '/api/admin/recusals', '/api/inspections'),
        fc.array(fc.tuple(fc.constantFrom('page', 'county', 'q', 'x'), nasty), { maxLength: 4 }),
        async (path, entries) => {
          const query = new URLSearchParams(entries).toString()
          const res = await app.request(`${path}?${query}`, { headers: admin.headers })
          expect(res.status).toBe(200)
        },
      ),
      { numRuns: 60 },
    )
  })
})
