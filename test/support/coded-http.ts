import http from 'node:http'
import zlib from 'node:zlib'

/** An answer as it came over the wire: `body` still in its Content-Encoding. */
export interface RawAnswer {
  status: number
  headers: http.IncomingHttpHeaders
  body: Buffer
}

/**
 * One request with node's http client, which (unlike fetch) leaves the body coded, so a test
 * sees what was sent: the bytes on the wire and the headers that describe them.
 */
export function rawRequest(
  url: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, headers, agent: false }, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks),
        }),
      )
      response.on('error', reject)
    })
    request.on('error', reject)
    request.end()
  })
}

/** The body with its Content-Encoding undone. */
export function decoded(answer: RawAnswer): Buffer {
  const coding = answer.headers['content-encoding']
  if (coding === 'br') return zlib.brotliDecompressSync(answer.body)
  if (coding === 'gzip') return zlib.gunzipSync(answer.body)
  if (coding === undefined) return answer.body
  throw new Error(`unexpected Content-Encoding ${coding}`)
}

/** Whether the answer's Vary names Accept-Encoding. */
export const variesOnEncoding = (answer: RawAnswer) =>
  /(^|,)\s*accept-encoding\s*(,|$)/i.test(answer.headers.vary ?? '')
