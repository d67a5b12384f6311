import http from 'node:http'
import https from 'node:https'
import { MeilisearchApiError } from 'meilisearch'

/**
 * Meilisearch over node:http with a keep-alive agent, in place of fetch. Under load, fetch's
 * WHATWG streams and objects made the API's garbage collector pause for tens of milliseconds
 * (bench/search.ts); a plain request with the body read into one buffer allocates far less.
 * Parsed JSON comes back; a non-2xx answer rejects with a MeilisearchApiError (which the client
 * wraps, as it wraps every failure of a custom HTTP client, in a MeilisearchRequestError); the
 * request is aborted when the client's timeout signal fires.
 */
export function nodeHttpClient(baseUrl: string) {
  const secure = new URL(baseUrl).protocol === 'https:'
  // An idle connection is dropped after 4 s, before the server's own 5 s keep-alive ends it:
  // reusing one the server is closing would fail a search with a connection reset.
  const options = { keepAlive: true, maxSockets: 64, timeout: 4_000 }
  const agent = secure ? new https.Agent(options) : new http.Agent(options)
  const transport = secure ? https : http
  return (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const url = new URL(input instanceof Request ? input.url : String(input))
      const headers: Record<string, string> = {}
      new Headers(init?.headers).forEach((value, name) => (headers[name] = value))
      const body = typeof init?.body === 'string' ? init.body : undefined
      if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body))
      const req = transport.request(
        url,
        { method: init?.method ?? 'GET', headers, agent, signal: init?.signal ?? undefined },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (chunk: Buffer) => chunks.push(chunk))
          res.on('error', reject)
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8')
            let parsed: unknown
            try {
              parsed = text === '' ? undefined : JSON.parse(text)
            } catch (error) {
              reject(error instanceof Error ? error : new Error(String(error)))
              return
            }
            const status = res.statusCode ?? 0
            if (status >= 200 && status < 300) resolve(parsed)
            else {
              const response = new Response(text, { status, statusText: res.statusMessage ?? '' })
              reject(new MeilisearchApiError(response, parsed as never))
            }
          })
        },
      )
      req.on('error', reject)
      req.end(body)
    })
}
