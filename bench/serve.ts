import http from 'node:http'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { answerWithFetch, type FetchHandler } from '../api/http/node-bridge.ts'

/**
 * A fetch handler on node:http, the way the benchmarks' servers run (the product itself runs
 * behind Astro's node adapter). Prints the event-loop delay once a second, so a busy or blocked
 * loop can be told from a slow downstream when latencies climb.
 */
export function serveFetch(handler: FetchHandler, port: number, onStop: () => Promise<unknown>) {
  const server = http.createServer((req, res) => void answerWithFetch(handler, req, res))
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
