import http from 'node:http'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { Readable } from 'node:stream'

type FetchHandler = (
  request: Request,
  env: { clientAddress?: string | undefined },
) => Response | Promise<Response>

function toRequest(req: http.IncomingMessage): Request {
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v)
    else if (value !== undefined) headers.set(name, value)
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD'
  return new Request(`http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`, {
    method: req.method ?? 'GET',
    headers,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream, duplex: 'half' } : {}),
  })
}

/**
 * A fetch handler on node:http, the way the benchmarks' servers run (the product itself runs
 * behind Astro's node adapter). Prints the event-loop delay once a second, so a busy or blocked
 * loop can be told from a slow downstream when latencies climb.
 */
export function serveFetch(handler: FetchHandler, port: number, onStop: () => Promise<unknown>) {
  const server = http.createServer((req, res) => {
    void (async () => {
      try {
        const response = await handler(toRequest(req), {
          clientAddress: req.socket.remoteAddress,
        })
        const headers: Record<string, string | string[]> = {}
        response.headers.forEach((value, name) => (headers[name] = value))
        const cookies = response.headers.getSetCookie()
        if (cookies.length > 0) headers['set-cookie'] = cookies
        res.writeHead(response.status, headers)
        res.end(Buffer.from(await response.arrayBuffer()))
      } catch (error) {
        res.writeHead(500).end(String(error))
      }
    })()
  })
  server.keepAliveTimeout = 5_000

  const loopDelay = monitorEventLoopDelay({ resolution: 5 })
  loopDelay.enable()
  setInterval(() => {
    const p99 = loopDelay.percentile(99) / 1e6
    const max = loopDelay.max / 1e6
    console.log(JSON.stringify({ eventLoopDelay: { p99, max } }))
    loopDelay.reset()
  }, 1_000).unref()
  server.listen(port, '127.0.0.1')

  process.on('SIGTERM', () => {
    server.close()
    server.closeAllConnections()
    void onStop().finally(() => process.exit(0))
  })
}
