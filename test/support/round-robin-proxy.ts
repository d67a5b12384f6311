import { Agent, createServer, request, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A load balancer in a few lines of node:http, for the replica tests: each request goes to the
 * next upstream in turn over kept-alive connections, with X-Forwarded-For set to the client's
 * address. A test stands for many residents by naming the address in `x-test-client` (the
 * balancer is the hop that saw the resident; the product trusts it with TRUST_PROXY). A request
 * an upstream refused goes to the next one (nginx's `proxy_next_upstream error`), and so does one
 * whose upstream died with it when sending it again is harmless (see below); its body is kept for
 * that. Each answer names the upstream that gave it in `x-upstream` (its index).
 */
export interface RoundRobinProxy {
  url: string
  /** How many answers each upstream gave, by index. */
  answered: number[]
  stop: () => Promise<void>
}

const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
])

function forwardable(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {}
  for (const [name, value] of Object.entries(headers)) {
    if (!hopByHop.has(name) && value !== undefined) out[name] = value
  }
  return out
}

const safe = new Set(['GET', 'HEAD', 'OPTIONS'])

export async function startRoundRobinProxy(upstreams: readonly string[]): Promise<RoundRobinProxy> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256, keepAliveMsecs: 1_000 })
  const targets = upstreams.map((u) => new URL(u))
  const answered = targets.map(() => 0)
  // As nginx's max_fails=1 fail_timeout=5s: an upstream that refused a connection is skipped for
  // 5 s, so requests stop going to a dead replica instead of each paying a refusal.
  const downForMs = 5_000
  const downUntil = targets.map(() => 0)
  let next = 0
  const pick = () => {
    for (let i = 0; i < targets.length; i++) {
      const index = next++ % targets.length
      if (downUntil[index]! <= Date.now()) return index
    }
    return next++ % targets.length
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const headers = forwardable(req.headers)
      const client = req.headers['x-test-client']
      delete headers['x-test-client']
      headers['x-forwarded-for'] =
        typeof client === 'string' ? client : (req.socket.remoteAddress ?? '127.0.0.1')
      headers['content-length'] = String(body.length)
      const idempotent = typeof req.headers['idempotency-key'] === 'string'

      const tryUpstream = (tries: number) => {
        const index = pick()
        const target = targets[index]!
        const upstream = request(
          {
            host: target.hostname,
            port: target.port,
            method: req.method,
            path: req.url,
            headers,
            agent,
          },
          (answer) => {
            answered[index]! += 1
            res.writeHead(answer.statusCode ?? 502, {
              ...forwardable(answer.headers),
              'x-upstream': String(index),
            })
            // An upstream dying mid-answer ends the client's answer too, rather than leave it open.
            answer.once('error', (error) => res.destroy(error))
            answer.once('aborted', () => res.destroy())
            answer.pipe(res)
          },
        )
        upstream.on('error', (error: NodeJS.ErrnoException) => {
          if (res.headersSent) {
            res.destroy(error)
            return
          }
          // Refused: the upstream is down and never saw the request, so another may take it. A
          // reset (the upstream died with the request) may have come after it acted: sent again
          // only when that is harmless, a read or a request with an Idempotency-Key.
          const again =
            error.code === 'ECONNREFUSED' ||
            (error.code === 'ECONNRESET' && (safe.has(req.method ?? '') || idempotent))
          if (error.code === 'ECONNREFUSED') downUntil[index] = Date.now() + downForMs
          if (again && tries < targets.length) tryUpstream(tries + 1)
          else
            res.writeHead(502, { 'content-type': 'text/plain' }).end(`bad gateway: ${error.code}`)
        })
        upstream.end(body)
      }
      tryUpstream(1)
    })
  })
  server.keepAliveTimeout = 65_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    answered,
    stop: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      agent.destroy()
    },
  }
}
