import http from 'node:http'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { Readable } from 'node:stream'
import { createApp } from '../api/app.ts'
import { loadConfig } from '../api/config.ts'
import { depsFromConfig } from '../api/runtime.ts'

/**
 * The product's API alone (the Hono app from `createApp`) on node:http, for the search benchmark:
 * the same app the Astro catch-all hands /api requests to, without a site build. Configured by
 * the environment (DATABASE_URL, MEILI_URL, MEILI_MASTER_KEY, PORT); logs go to stdout as usual.
 */
const config = loadConfig()
const deps = depsFromConfig(config)
const app = createApp(deps)

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

const server = http.createServer((req, res) => {
  void (async () => {
    try {
      const response = await app.fetch(toRequest(req))
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

// Once a second, how late the event loop ran (ms): tells a busy or blocked loop from a slow
// downstream when latencies climb.
const loopDelay = monitorEventLoopDelay({ resolution: 5 })
loopDelay.enable()
setInterval(() => {
  const p99 = loopDelay.percentile(99) / 1e6
  const max = loopDelay.max / 1e6
  console.log(JSON.stringify({ eventLoopDelay: { p99, max } }))
  loopDelay.reset()
}, 1_000).unref()
server.listen(config.PORT, '127.0.0.1')

process.on('SIGTERM', () => {
  server.close()
  server.closeAllConnections()
  void deps.db.destroy().finally(() => process.exit(0))
})
