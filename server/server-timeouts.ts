import type { Server } from 'node:http'
import type { Config } from '../api/config.ts'

/**
 * How long an idle keep-alive connection stays open. Clients and balancers reuse an idle
 * connection for up to their own idle time (60 s is the common balancer default, e.g. AWS ALB and
 * nginx's upstream keepalive_timeout); a server that closes first races the client's next request
 * and the client sees a reset (issue 20: Node's 5 s default did so). 65 s outlives them all.
 */
const keepAliveMs = 65_000

/**
 * Headers of a request must arrive within this; Node needs it above the keep-alive time, or a
 * request started at the end of an idle spell would be cut off by the headers timer instead.
 */
const headersMs = keepAliveMs + 1_000

/** A slow phone's upload speed, about 400 kbit/s (a weak 3G or crowded 4G cell). */
const slowUploadBytesPerSecond = 50_000

/**
 * Keep-alive, headers and whole-request timeouts of the web server. The request timeout bounds
 * how long one request may hold a connection (slow-body attacks), yet lets the largest complaint
 * a resident may send arrive from a slow phone: 16 MB at 400 kbit/s is 336 s, plus 30 s of slack,
 * so about 6 minutes by default; never under 2 minutes.
 */
export function setServerTimeouts(
  server: Server,
  config: Pick<Config, 'COMPLAINT_BODY_LIMIT_BYTES'>,
) {
  server.keepAliveTimeout = keepAliveMs
  server.headersTimeout = headersMs
  const uploadMs = Math.ceil(config.COMPLAINT_BODY_LIMIT_BYTES / slowUploadBytesPerSecond) * 1000
  server.requestTimeout = Math.max(120_000, uploadMs + 30_000)
}
