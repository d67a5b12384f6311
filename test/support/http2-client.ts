import http2, { type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2'

export interface Http2Answer {
  status: number
  headers: IncomingHttpHeaders
  /** The body as it came over the wire (still compressed, if it was). */
  body: Buffer
  /** The TLS session's ALPN protocol: `h2` when HTTP/2 was agreed. */
  protocol: string | undefined
}

/**
 * One request over its own HTTPS + HTTP/2 connection, trusting `ca`. `localAddress` picks the
 * loopback address it comes from (127.0.0.2, 127.0.0.3 …), so one test can be several visitors.
 */
export function http2Request(
  url: string,
  options: {
    ca: Buffer
    method?: string
    path?: string
    headers?: OutgoingHttpHeaders
    body?: string | Buffer
    localAddress?: string
  },
): Promise<Http2Answer> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url, {
      ca: options.ca,
      ...(options.localAddress ? { localAddress: options.localAddress } : {}),
    })
    session.once('error', reject)
    const target = new URL(options.path ?? '/', url)
    const stream = session.request({
      ':method': options.method ?? 'GET',
      ':path': `${target.pathname}${target.search}`,
      ...options.headers,
    })
    const chunks: Buffer[] = []
    let headers: IncomingHttpHeaders = {}
    stream.once('response', (h) => (headers = h))
    stream.on('data', (chunk: Buffer) => chunks.push(chunk))
    stream.once('error', (error: Error) => {
      session.close()
      reject(error)
    })
    stream.once('end', () => {
      const protocol = session.alpnProtocol
      session.close()
      resolve({
        status: Number(headers[':status']),
        headers,
        body: Buffer.concat(chunks),
        protocol,
      })
    })
    stream.end(options.body)
  })
}
