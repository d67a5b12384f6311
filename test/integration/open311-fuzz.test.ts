import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { parseOpen311Xml, unknownElements } from '../support/open311-xml.ts'
import { cityAdmin, registerApp, requestForm, type App } from './open311-support.ts'

// Issue 27, acceptance 3: no body an app (or anybody) posts to /open311/v2/requests gets a 5xx;
// every refusal is the specification's error list, in the format the path asks for.

let t: TestContext
let app: App
let apiKey: string

beforeAll(async () => {
  // The limits off: the fuzzing must reach the intake every time, not the 429.
  t = await createTestContext({
    env: {
      OPEN311_LIMIT_PER_KEY: '0',
      OPEN311_REQUESTS_PER_KEY: '0',
      COMPLAINT_LIMIT_PER_PHONE: '0',
    },
  })
  app = createApp(t.deps)
  apiKey = (await registerApp(app, await cityAdmin(t.deps))).apiKey
})
afterAll(() => t.cleanup())

const nasty = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.constantFrom('', ' ', 'true', 'false', 'null', '0', '-1', '1e309', 'NaN', '331102', '331100'),
  fc.constantFrom('short_weight', 'complaint', 'report', 'jin', '2026-11-26T09:10', '2099-01-01'),
  fc.string({ minLength: 200, maxLength: 6_000 }),
)

const fieldNames = [
  ...requestForm('').keys(),
  'api_key',
  'lat',
  'long',
  'media_url',
  'email',
  'attribute[merchant_uscc]',
  'attribute[sms_updates]',
  'attribute[claimed_quantity]',
  'attribute[measured_quantity]',
  'attribute[unit]',
  'attribute[unit_price]',
  'attribute[]',
  'attribute[kind',
]

/** A valid request with some fields replaced, dropped or added, or a body of anything at all. */
const bodies = fc.oneof(
  fc.dictionary(fc.constantFrom(...fieldNames), fc.option(nasty), { maxKeys: 8 }).map((changes) => {
    const form = requestForm(apiKey)
    for (const [name, value] of Object.entries(changes)) {
      if (value === null) form.delete(name)
      else form.set(name, value)
    }
    return form.toString()
  }),
  fc.string({ unit: 'binary', maxLength: 2_000 }),
  fc.jsonValue().map((v) => JSON.stringify(v)),
)

const contentTypes = fc.constantFrom(
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=utf-8',
  'multipart/form-data; boundary=xyz',
  'application/json',
  'text/plain',
  '',
)

function expectErrorList(status: number, body: string, format: 'json' | 'xml') {
  if (format === 'xml') {
    const parsed = parseOpen311Xml(body) as { errors?: { error: { code: string }[] } }
    expect(unknownElements(parsed)).toEqual([])
    expect(parsed.errors?.error.every((e) => e.code === String(status))).toBe(true)
    return
  }
  const errors = JSON.parse(body) as { code: number; description: string }[]
  expect(Array.isArray(errors)).toBe(true)
  expect(errors.length).toBeGreaterThan(0)
  for (const e of errors) {
    expect(e.code).toBe(status)
    expect(typeof e.description).toBe('string')
  }
}

describe('POST /open311/v2/requests', () => {
  it("answers 300 random and malformed bodies with 201 or a 4xx in the specification's format", async () => {
    const statuses = new Map<number, number>()
    await fc.assert(
      fc.asyncProperty(
        bodies,
        contentTypes,
        fc.constantFrom('json' as const, 'xml' as const),
        async (body, type, format) => {
          const res = await app.request(
            `/open311/v2/requests.${format}`,
            { method: 'POST', headers: type ? { 'content-type': type } : {}, body },
            { clientAddress: '203.0.113.9' },
          )
          const text = await res.text()
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
          expect(res.status, text).toBeLessThan(500)
          if (res.status !== 201) expectErrorList(res.status, text, format)
        },
      ),
      { numRuns: 300 },
    )
    // The bodies reached the intake: some were filed, many refused field by field.
    console.info(Object.fromEntries(statuses))
    expect(statuses.get(201)).toBeGreaterThan(0)
    expect(statuses.get(400)).toBeGreaterThan(50)
  }, 120_000)

  it('refuses or files text PostgreSQL cannot store (NUL, lone surrogates) without a 5xx', async () => {
    for (const text of ['\u0000', '\uD800', '\uDFFF\uD800', 'a\u0000b']) {
      const form = requestForm(apiKey, {
        description: `事情经过写得足够长了，中间有一个特殊字符：${text}。`,
        'attribute[merchant_name]': `摊位${text}`,
        address_string: `菜场${text}`,
      })
      const res = await app.request(
        '/open311/v2/requests.json',
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: form.toString(),
        },
        { clientAddress: '203.0.113.11' },
      )
      expect(res.status, await res.clone().text()).toBeLessThan(500)
      // The one intake: the web API takes the same text the same way.
      const web = await app.request(
        '/api/complaints',
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            kind: 'report',
            category: 'other',
            county: '331121',
            merchantName: `摊位${text}`,
            address: `菜场${text}`,
            occurredAt: '2026-11-26T09:10',
            description: `网站提交的举报，中间有一个特殊字符：${text}。`,
            consent: true,
          }),
        },
        { clientAddress: '203.0.113.12' },
      )
      expect(web.status, await web.clone().text()).toBeLessThan(500)
    }
  })

  it('answers random queries to the GET endpoints with 200 or a 4xx, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(
            fc.constantFrom(
              'service_request_id',
              'service_code',
              'status',
              'start_date',
              'end_date',
              'api_key',
              'jurisdiction_id',
            ),
            nasty,
          ),
          { maxLength: 4 },
        ),
        fc.constantFrom(
          'requests',
          'requests/JL20261206-4827-3915',
          'services',
          'services/optical',
          'discovery',
        ),
        async (entries, resource) => {
          const query = new URLSearchParams(entries).toString()
          const res = await app.request(
            `/open311/v2/${resource}.json?${query}`,
            {},
            { clientAddress: '203.0.113.10' },
          )
          const text = await res.text()
          expect(res.status, text).toBeLessThan(500)
          if (res.status >= 400) expectErrorList(res.status, text, 'json')
        },
      ),
      { numRuns: 200 },
    )
  }, 120_000)
})
