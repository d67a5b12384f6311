// A web server process for the open-data memory test: the product's answer to dynamic requests
// (security headers, compression, the open-data downloads) on the test's database, in a process
// of its own so that its heap is only its own. Started with --expose-gc; prints its port.
//   GET /__heap/reset  collects garbage and starts watching the heap from there
//   GET /__heap        { baseline, peak }: heapUsed after the reset, and its highest since;
//                      stops watching
// The heap is read after a full collection, every 50 ms: what the handler holds, not the garbage
// a collector has not come for yet (which alone grew the heap by 80 MB in a streamed download).
import http from 'node:http'
import { parseConfig } from '../../api/config.ts'
import { depsFromConfig } from '../../api/wiring/deps-from-config.ts'
import { compressResponses } from '../../server/compress-responses.ts'
import { serveOpenData } from '../../server/open-data.ts'
import { securityHeaders } from '../../server/security-headers.ts'

const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('start with --expose-gc')

const deps = depsFromConfig(parseConfig(process.env))
let baseline = 0
let peak = 0
let sampler: NodeJS.Timeout | undefined
const liveHeap = () => {
  gc()
  return process.memoryUsage().heapUsed
}

const server = http.createServer((req, res) => {
  if (req.url === '/__heap/reset') {
    baseline = liveHeap()
    peak = baseline
    clearInterval(sampler)
    sampler = setInterval(() => {
      peak = Math.max(peak, liveHeap())
    }, 50)
    res.end(JSON.stringify({ baseline }))
    return
  }
  if (req.url === '/__heap') {
    clearInterval(sampler)
    peak = Math.max(peak, liveHeap())
    res.end(JSON.stringify({ baseline, peak }))
    return
  }
  securityHeaders(req, res)
  compressResponses(req, res)
  if (!serveOpenData(deps, req, res)) {
    res.statusCode = 404
    res.end()
  }
})
server.listen(0, '127.0.0.1', () => {
  const address = server.address()
  if (address && typeof address === 'object') console.log(`listening ${address.port}`)
})
process.on('SIGTERM', () => {
  server.close()
  server.closeAllConnections()
  void deps.db.destroy().then(() => process.exit(0))
})
