import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { eventsPath } from '../support/hotline-inbound.ts'

let t: TestContext
let app: ReturnType<typeof createApp>

beforeAll(async () => {
  // Behind a proxy, so the proxy headers are read (and checked) too.
  t = await createTestContext({ env: { TRUST_PROXY: 'true' } })
  app = createApp(t.deps)
})
afterAll(() => t.cleanup())

const complaint = JSON.stringify({
  kind: 'report',
  category: 'short_weight',
  county: '331102',
  merchantName: '城西菜场 3 号摊位',
  address: '莲都区城西菜场',
  occurredAt: '2026-11-20T09:30',
  description: '请求头有误，应被拒绝而不是出错。',
  consent: true,
})

/** A request to each route that reads the header, with a well-formed body. */
const requests = {
  complaint: { path: '/api/complaints', method: 'POST', body: complaint },
  signIn: {
    path: '/api/admin/auth/sign-in',
    method: 'POST',
    body: JSON.stringify({ username: 'nobody', password: 'not-a-password-1' }),
  },
  me: { path: '/api/admin/auth/me', method: 'GET' },
  hotline: { path: eventsPath, method: 'POST', body: '{}' },
  search: { path: '/api/search?q=%E8%8F%9C%E5%9C%BA', method: 'GET' },
  open311: { path: '/open311/v2/requests.json', method: 'POST', body: 'api_key=x' },
} as const

/**
 * Each header-borne value the API reads, malformed as a client or a proxy might send it. (A
 * signed delivery's malformed webhook-id is a 400 too: hotline-inbound.test.ts.)
 */
const cases: { header: string; value: string; to: keyof typeof requests }[] = [
  { header: 'Idempotency-Key', value: 'abc', to: 'complaint' },
  { header: 'Idempotency-Key', value: 'k'.repeat(201), to: 'complaint' },
  { header: 'Idempotency-Key', value: 'clé-de-requête-é', to: 'complaint' },
  { header: 'Idempotency-Key', value: 'k'.repeat(201), to: 'open311' },
  { header: 'X-Forwarded-For', value: 'not-an-address', to: 'complaint' },
  { header: 'X-Forwarded-For', value: '203.0.113.7, 999.1.1.1', to: 'search' },
  { header: 'X-Forwarded-Proto', value: 'gopher', to: 'signIn' },
  { header: 'Origin', value: 'not a url', to: 'signIn' },
  { header: 'Origin', value: 'https://example.gov.cn/admin', to: 'signIn' },
  { header: 'X-CSRF-Token', value: 'token with spaces', to: 'me' },
  { header: 'X-CSRF-Token', value: 'a'.repeat(201), to: 'me' },
  { header: 'User-Agent', value: 'U'.repeat(1001), to: 'signIn' },
  { header: 'webhook-timestamp', value: 'yesterday', to: 'hotline' },
  { header: 'webhook-signature', value: 'v1,not base64!', to: 'hotline' },
]

describe('header-borne values', () => {
  for (const { header, value, to } of cases) {
    it(`answers ${header}: ${value.slice(0, 24)}${value.length > 24 ? '…' : ''} on ${to} with a 400 naming it`, async () => {
      const request = requests[to]
      const headers: Record<string, string> = {
        'content-type': to === 'open311' ? 'application/x-www-form-urlencoded' : 'application/json',
        [header]: value,
      }
      if (to === 'hotline') {
        // The other two webhook headers well formed, so only the one under test is wrong.
        Object.assign(headers, {
          'webhook-id': 'msg_header_check',
          'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
          'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')}`,
          [header]: value,
        })
      }
      const res = await app.request(
        request.path,
        { method: request.method, headers, ...('body' in request ? { body: request.body } : {}) },
        { clientAddress: '192.0.2.90' },
      )
      expect(res.status).toBe(400)
      const text = await res.text()
      // Open311 answers its own error list; the API its error shape. Both name the header, in Chinese.
      expect(text).toContain(header)
      expect(text).toMatch(/[\u4e00-\u9fff]/)
    })
  }

  it('lets well-formed values through', async () => {
    const res = await app.request(
      '/api/complaints',
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'Idempotency-Key': 'a6f0c1e2-1d2b-4c1e-9d4f-0e2b3c4d5e6f',
          'X-Forwarded-For': '198.51.100.1, 203.0.113.9',
          'X-Forwarded-Proto': 'https',
          Origin: 'https://example.gov.cn',
          'User-Agent': 'Mozilla/5.0',
        },
        body: complaint,
      },
      { clientAddress: '192.0.2.91' },
    )
    expect(res.status).toBe(201)
  })
})
