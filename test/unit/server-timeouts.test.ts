import http from 'node:http'
import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../api/config.ts'
import { setServerTimeouts } from '../../api/http/server-timeouts.ts'

const timeoutsOf = (env: Record<string, string>) => {
  const server = http.createServer()
  setServerTimeouts(server, parseConfig(env))
  return {
    keepAlive: server.keepAliveTimeout,
    headers: server.headersTimeout,
    request: server.requestTimeout,
  }
}

describe('web server timeouts', () => {
  it('keeps idle connections past a balancer’s 60 s, headers 1 s longer', () => {
    expect(timeoutsOf({})).toEqual({ keepAlive: 65_000, headers: 66_000, request: 366_000 })
  })

  it('takes the keep-alive and request timeouts from the configuration', () => {
    expect(timeoutsOf({ KEEP_ALIVE_TIMEOUT_MS: '120000', REQUEST_TIMEOUT_MS: '600000' })).toEqual({
      keepAlive: 120_000,
      headers: 121_000,
      request: 600_000,
    })
  })

  it('never lets the request timeout fall under the headers timeout', () => {
    const { headers, request } = timeoutsOf({
      KEEP_ALIVE_TIMEOUT_MS: '300000',
      COMPLAINT_BODY_LIMIT_BYTES: '2048',
    })
    expect(request).toBeGreaterThan(headers)
  })
})
