import type { IncomingMessage } from 'node:http'
import { describe, expect, it } from 'vitest'
import { acceptForwardedOrigin } from '../../server/forwarded-origin.ts'

const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage

describe('a form posted over HTTPS through a balancer that ends TLS', () => {
  it("hands this host's own HTTPS origin on as the HTTP origin the process sees", () => {
    const req = request({
      host: 'jiliang.example.cn',
      origin: 'https://jiliang.example.cn',
      'x-forwarded-proto': 'https',
    })
    acceptForwardedOrigin({ TRUST_PROXY: true }, req)
    expect(req.headers.origin).toBe('http://jiliang.example.cn')
  })

  it('leaves a foreign origin, an untrusted balancer and a plain-HTTP visit as they came', () => {
    const cases: [boolean, Record<string, string>][] = [
      [true, { host: 'a.cn', origin: 'https://evil.example', 'x-forwarded-proto': 'https' }],
      [false, { host: 'a.cn', origin: 'https://a.cn', 'x-forwarded-proto': 'https' }],
      [true, { host: 'a.cn', origin: 'https://a.cn', 'x-forwarded-proto': 'http' }],
      [true, { host: 'a.cn', origin: 'https://a.cn' }],
      // The balancer appends its own value last; a client's own "https" before it counts for nothing.
      [true, { host: 'a.cn', origin: 'https://a.cn', 'x-forwarded-proto': 'https, http' }],
    ]
    for (const [trust, headers] of cases) {
      const req = request({ ...headers })
      acceptForwardedOrigin({ TRUST_PROXY: trust }, req)
      expect(req.headers.origin).toBe(headers.origin)
    }
  })
})
