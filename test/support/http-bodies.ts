import http from 'node:http'

export interface StreamedAnswer {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
  /** How much of the body the client had sent when the answer came. */
  sentBytes: number
}

/**
 * POSTs `totalBytes` generated on the fly as a chunked body (no Content-Length), 64 KB at a time,
 * and resolves with the answer. A server may answer and close before the body is all sent: the
 * client then stops sending, and an answer received counts even if the socket is reset after it.
 * Rejects when no answer comes within `timeoutMs`, so a server that hangs fails the test.
 */
export function postChunked(
  base: string,
  path: string,
  totalBytes: number,
  options: { headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<StreamedAnswer> {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(64 * 1024, 'a')
    const req = http.request(new URL(path, base), {
      method: 'POST',
      agent: false,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'transfer-encoding': 'chunked',
        ...options.headers,
      },
    })
    let sent = 0
    let answered = false
    let settled = false
    const timer = setTimeout(() => {
      fail(new Error(`no answer from ${path} within ${options.timeoutMs ?? 20_000} ms`))
    }, options.timeoutMs ?? 20_000)
    const fail = (error: Error) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      req.destroy()
      reject(error)
    }
    const pump = () => {
      while (!answered && sent < totalBytes) {
        const n = Math.min(chunk.length, totalBytes - sent)
        sent += n
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
          req.once('drain', pump)
          return
        }
      }
      if (!answered) req.end()
    }
    req.on('response', (res) => {
      answered = true
      const parts: Buffer[] = []
      const finish = () => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(parts).toString('utf8'),
          sentBytes: sent,
        })
        req.destroy()
      }
      res.on('data', (c: Buffer) => parts.push(c))
      res.on('end', finish)
      // A reset after the answer arrived (the server closed with our bytes unread) still counts.
      res.on('error', finish)
      res.on('aborted', finish)
    })
    req.on('error', (error) => {
      // Writing into a socket the server closed after answering: the answer is on its way.
      if (!answered) fail(new Error(`${path}: ${error.message} before any answer`))
    })
    pump()
  })
}
