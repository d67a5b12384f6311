import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bodyLimitFor, tinyFormBytes } from '../../api/body-limits.ts'
import { answerExpectContinue, guardBody } from '../../server/body-guard.ts'
import { postChunked } from '../support/http-bodies.ts'

const config = { BODY_LIMIT_BYTES: 1024 * 1024, COMPLAINT_BODY_LIMIT_BYTES: 2 * 1024 * 1024 }

/** What the handler behind the guard was given, per request path. */
const handed: Array<{ path: string; bodyBytes: number; declared: string | undefined }> = []

const server = http.createServer((req, res) => {
  guardBody(config, req, res, () => {
    const body = (req as { body?: Buffer }).body
    handed.push({
      path: req.url ?? '',
      bodyBytes: body?.length ?? -1,
      declared: req.headers['content-length'],
    })
    res.end(`read ${body?.length ?? 0}`)
  })
})
answerExpectContinue(server, config)
let base = ''

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

describe('the body guard in front of the site and the API', () => {
  it('hands a chunked body within the limit on whole', async () => {
    const answer = await postChunked(base, '/complaints/track', tinyFormBytes)
    expect(answer.status).toBe(200)
    expect(answer.body).toBe(`read ${tinyFormBytes}`)
  })

  it('refuses a chunked form one byte over its limit with a Chinese page, and closes', async () => {
    const before = handed.length
    const answer = await postChunked(base, '/complaints/track', tinyFormBytes + 1)
    expect(answer.status).toBe(413)
    expect(answer.headers['content-type']).toContain('text/html')
    expect(answer.headers.connection).toBe('close')
    expect(answer.body).toContain(bodyLimitFor(config, '/complaints/track').message)
    expect(answer.body).toContain('href="/complaints/track"')
    expect(handed.length).toBe(before)
  })

  it('stops reading a 200 MB chunked body soon after the limit', async () => {
    const answer = await postChunked(base, '/admin/sign-in', 200 * 1024 * 1024)
    expect(answer.status).toBe(413)
    // The client is held back by TCP once the server stops reading: far from 200 MB sent.
    expect(answer.sentBytes).toBeLessThan(32 * 1024 * 1024)
  })

  it('answers an API route with the one error shape', async () => {
    const answer = await postChunked(base, '/api/hotline/12345/events', 50 * 1024 * 1024)
    expect(answer.status).toBe(413)
    const body = JSON.parse(answer.body) as {
      error: { code: string; message: string; requestId: string; details: unknown }
    }
    expect(body.error.code).toBe('PAYLOAD_TOO_LARGE')
    expect(body.error.message).toContain('事件内容过大')
    expect(body.error.requestId).toBe(answer.headers['x-request-id'])
    expect(body.error.details).toEqual({ limitBytes: 256 * 1024 })
  })

  it('refuses a declared length over the limit without reading the body', async () => {
    const res = await fetch(`${base}/api/admin/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'x'.repeat(64 * 1024 + 1),
    })
    expect(res.status).toBe(413)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE')
  })

  it('lets the complaint page refuse its own form, declared at the bytes received', async () => {
    const limit = config.COMPLAINT_BODY_LIMIT_BYTES
    const answer = await postChunked(base, '/complaints/submit', 100 * 1024 * 1024)
    expect(answer.status).toBe(200)
    expect(answer.headers.connection).toBe('close')
    const last = handed.at(-1)
    expect(last?.path).toBe('/complaints/submit')
    expect(last?.bodyBytes).toBe(0)
    expect(Number(last?.declared)).toBeGreaterThan(limit)
  })

  it('gives a complaint with photos its full limit', async () => {
    const limit = config.COMPLAINT_BODY_LIMIT_BYTES
    const answer = await postChunked(base, '/api/complaints', limit)
    expect(answer.status).toBe(200)
    expect(answer.body).toBe(`read ${limit}`)
  })

  it('answers a client that asks first 413 at once, without inviting its body', async () => {
    const answer = await new Promise<{ status: number; invited: boolean }>((resolve, reject) => {
      let invited = false
      const req = http.request(`${base}/admin/sign-in`, {
        method: 'POST',
        agent: false,
        headers: { expect: '100-continue', 'content-length': String(1024 * 1024 * 1024) },
      })
      req.on('continue', () => (invited = true))
      req.on('response', (res) => {
        res.resume()
        resolve({ status: res.statusCode ?? 0, invited })
        req.destroy()
      })
      req.on('error', reject)
      req.flushHeaders()
    })
    expect(answer).toEqual({ status: 413, invited: false })
  })

  it('invites a body that fits its route', async () => {
    const invited = await new Promise<boolean>((resolve, reject) => {
      const req = http.request(`${base}/complaints/track`, {
        method: 'POST',
        agent: false,
        headers: { expect: '100-continue', 'content-length': '3' },
      })
      req.on('continue', () => req.end('a=1'))
      req.on('response', (res) => {
        res.resume()
        resolve(res.statusCode === 200)
      })
      req.on('error', reject)
      req.flushHeaders()
    })
    expect(invited).toBe(true)
  })
})
