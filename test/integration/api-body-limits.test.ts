import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { bodyLimitFor } from '../../api/body-limits.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'

let t: TestContext
let app: ReturnType<typeof createApp>

beforeAll(async () => {
  t = await createTestContext()
  app = createApp(t.deps)
})
afterAll(() => t.cleanup())

interface ErrorShape {
  error: { code: string; message: string; requestId: string; details: unknown }
}

/** A body of `total` bytes made as it is read, with no declared length; counts what was read. */
function streamed(total: number) {
  const read = { bytes: 0 }
  const chunk = new Uint8Array(64 * 1024).fill(0x61)
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (read.bytes >= total) {
        controller.close()
        return
      }
      const part = chunk.subarray(0, Math.min(chunk.length, total - read.bytes))
      read.bytes += part.length
      controller.enqueue(part)
    },
  })
  return { body, read }
}

const post = (path: string, body: ReadableStream<Uint8Array>, type: string) =>
  app.request(path, {
    method: 'POST',
    headers: { 'content-type': type },
    body,
    duplex: 'half',
  } as RequestInit)

describe('the API holds each route to its own body limit, for any host of the app', () => {
  const routes = [
    { path: '/api/admin/auth/sign-in', type: 'application/json' },
    { path: '/api/hotline/12345/events', type: 'application/json' },
    { path: '/api/complaints', type: 'multipart/form-data; boundary=x' },
  ]

  it('answers a chunked body over the limit with 413 in the error shape, reading little more', async () => {
    const answers = await Promise.all(
      routes.map(async ({ path, type }) => {
        const limit = bodyLimitFor(t.deps.config, path)
        const { body, read } = streamed(200 * 1024 * 1024)
        const res = await post(path, body, type)
        return { path, limit, res, read, body: (await res.json()) as ErrorShape }
      }),
    )
    for (const { path, limit, res, read, body } of answers) {
      expect(res.status, path).toBe(413)
      expect(body.error.code, path).toBe('PAYLOAD_TOO_LARGE')
      expect(body.error.message, path).toBe(limit.message)
      expect(body.error.requestId, path).toBe(res.headers.get('x-request-id'))
      expect(body.error.details, path).toEqual({ limitBytes: limit.maxBytes })
      expect(read.bytes, path).toBeLessThan(limit.maxBytes + 1024 * 1024)
    }
  })

  it('passes a body of exactly the limit on to the route', async () => {
    const path = '/api/admin/auth/sign-in'
    const { body } = streamed(bodyLimitFor(t.deps.config, path).maxBytes)
    const res = await post(path, body, 'application/json')
    // Not refused for its size: the route reads it and finds it is not sign-in JSON.
    expect(res.status).toBe(400)
  })
})
