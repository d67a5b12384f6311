import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { installDeps, uninstallDeps } from '../../server/deps.ts'
import { handleSubmission } from '../../site/lib/complaint-submit.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'

/**
 * A complaint arrives through the site's form page or through `POST /api/complaints`. Both must
 * refuse the same form with the same field problems and the same words: one reader, one set of
 * rules (issue 21).
 */

let t: TestContext
let app: ReturnType<typeof createApp>
const perAddress = 2

/** A valid 投诉 as the page's form posts it; each case changes what it needs. */
const valid: Record<string, string> = {
  kind: 'complaint',
  category: 'short_weight',
  county: '331102',
  merchantName: '城东菜场 12 号摊位',
  address: '莲都区城东菜场 12 号',
  occurredAt: '2026-11-20T09:30',
  description: '买了一斤猪肉，回家复秤只有八两，少了二两。',
  name: '王小明',
  phone: '13812345678',
  consent: 'on',
  claimedQuantity: '1',
  measuredQuantity: '0.8',
  unit: 'jin',
  unitPrice: '18',
  website: '',
}

const without = (...fields: string[]) =>
  Object.fromEntries(Object.entries(valid).filter(([field]) => !fields.includes(field)))

const invalidForms: Record<string, Record<string, string>> = {
  'an empty form': {},
  'a 投诉 without name and phone': { ...valid, name: '', phone: '' },
  'a wrong kind and category': { ...valid, kind: 'gossip', category: 'weather' },
  'no consent': without('consent'),
  'a bad phone and a short description': { ...valid, phone: '12345', description: '少了' },
  'figures without a shortfall, no unit': { ...valid, measuredQuantity: '2', unit: '' },
  'figures that are not numbers': { ...valid, claimedQuantity: '一斤', unitPrice: 'abc' },
  'a county that is not ours': { ...valid, county: '331199' },
  'a bad credit code': { ...valid, merchantUscc: '91331102MA2E0000X2' },
  'a date in the future': { ...valid, occurredAt: '2999-01-01T09:30' },
  'a date that is not one': { ...valid, occurredAt: '2026-02-30T09:30' },
  'names too long': { ...valid, merchantName: '摊'.repeat(201), address: '址'.repeat(501) },
  'a filled honeypot': { ...valid, website: 'https://example.com' },
}

interface ErrorShape {
  error: { code: string; message: string; details?: unknown }
}

function formBody(fields: Record<string, string>) {
  return new URLSearchParams(fields)
}

async function throughApi(body: BodyInit, address: string, headers: Record<string, string> = {}) {
  const res = await app.request(
    '/api/complaints',
    { method: 'POST', body, headers },
    { clientAddress: address },
  )
  return { res, body: (await res.json()) as ErrorShape }
}

function throughPage(body: BodyInit, address: string, headers: Record<string, string> = {}) {
  const request = new Request('http://127.0.0.1:4321/complaints/submit', {
    method: 'POST',
    body,
    headers,
  })
  return handleSubmission(request, address)
}

beforeAll(async () => {
  t = await createTestContext({
    env: { COMPLAINT_LIMIT_PER_ADDRESS: String(perAddress), COMPLAINT_LIMIT_PER_PHONE: '1000' },
  })
  app = createApp(t.deps)
  installDeps(t.deps)
})
afterAll(async () => {
  uninstallDeps()
  await t.cleanup()
})

describe('the form page and POST /api/complaints refuse alike', () => {
  for (const [name, fields] of Object.entries(invalidForms)) {
    it(`${name}: the same field problems and message on both`, async () => {
      const api = await throughApi(formBody(fields), '192.0.2.20')
      const page = await throughPage(formBody(fields), '192.0.2.21')

      expect(api.res.status).toBe(400)
      expect(api.body.error.code).toBe('VALIDATION_FAILED')
      expect(page.outcome.kind).toBe('refused')
      if (page.outcome.kind !== 'refused') return
      // The page says 422 to a person's browser for the same refusal.
      expect(page.outcome.status).toBe(422)
      expect(page.outcome.problems.length).toBeGreaterThan(0)
      expect(page.outcome.problems).toEqual(api.body.error.details)
      expect(page.outcome.message).toBe(api.body.error.message)
      // The page keeps what was typed, for the form shown again.
      for (const [field, value] of Object.entries(fields)) {
        expect(page.values[field as keyof typeof page.values]).toBe(value)
      }
    })
  }

  it('a photo that is not one: the same problem on both', async () => {
    const form = () => {
      const data = new FormData()
      for (const [field, value] of Object.entries(valid)) data.set(field, value)
      data.append(
        'photos',
        new File([new Uint8Array([1, 2, 3, 4])], 'a.jpg', { type: 'image/jpeg' }),
      )
      return data
    }
    const api = await throughApi(form(), '192.0.2.22')
    const page = await throughPage(form(), '192.0.2.23')

    expect(api.res.status).toBe(400)
    expect(page.outcome).toMatchObject({
      kind: 'refused',
      status: 422,
      problems: api.body.error.details,
      message: api.body.error.message,
    })
    expect(page.photosDropped).toBe(true)
  })

  it('a body declared over the complaint limit: 413 with the same message on both', async () => {
    const declared = { 'content-length': String(t.deps.config.COMPLAINT_BODY_LIMIT_BYTES + 1) }
    const api = await throughApi(formBody(valid), '192.0.2.24', declared)
    const page = await throughPage(formBody(valid), '192.0.2.25', declared)

    expect(api.res.status).toBe(413)
    expect(page.outcome).toMatchObject({
      kind: 'refused',
      status: 413,
      message: api.body.error.message,
      problems: [],
    })
  })

  it('a form that cannot be read: 400 with the same message on both', async () => {
    // A multipart type whose body has no part at all: neither entry can read it as a form.
    const broken = { 'content-type': 'multipart/form-data; boundary=nothing-here' }
    const api = await throughApi('not a multipart body', '192.0.2.27', broken)
    const page = await throughPage('not a multipart body', '192.0.2.28', broken)

    expect(api.res.status).toBe(400)
    expect(api.body.error.message).toContain('无法读取')
    expect(page.outcome).toMatchObject({
      kind: 'refused',
      status: 400,
      message: api.body.error.message,
    })
  })

  it('one address over its hourly limit: 429 with the same message and wait on both', async () => {
    // One instant for both refusals, so their waits (and the minutes in the message) are equal.
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2026-12-01T02:20:00Z'))
    try {
      const address = '192.0.2.26'
      for (let i = 0; i < perAddress; i++) {
        const filed = await throughPage(formBody({ ...valid, name: `王${i}` }), address)
        expect(filed.outcome.kind).toBe('filed')
      }
      const api = await throughApi(formBody({ ...valid, name: '李四' }), address)
      const page = await throughPage(formBody({ ...valid, name: '赵五' }), address)

      expect(api.res.status).toBe(429)
      expect(api.res.headers.get('retry-after')).toBe('2400')
      expect(page.outcome).toMatchObject({
        kind: 'refused',
        status: 429,
        message: api.body.error.message,
        problems: [],
        retryAfterSeconds: 2400,
      })
    } finally {
      vi.useRealTimers()
    }
  })
})
