import type { Server } from 'node:http'
import type { Config } from '../config.ts'

/** A slow phone's upload speed, about 400 kbit/s (a weak 3G or crowded 4G cell). */
const slowUploadBytesPerSecond = 50_000

/**
 * Keep-alive, headers and whole-request timeouts of the web server.
 *
 * An idle keep-alive connection stays open KEEP_ALIVE_TIMEOUT_MS (65 s by default). Clients and
 * balancers reuse an idle connection for up to their own idle time (60 s is the common balancer
 * default, e.g. AWS ALB and nginx's upstream keepalive_timeout); a server that closes first races
 * the client's next request and the client sees a reset or a 502 (issues 20 and 26: Node's 5 s
 * default did so). Headers must arrive within 1 s more: Node needs the headers timeout above the
 * keep-alive time, or a request started at the end of an idle spell would be cut off by it.
 *
 * The request timeout (REQUEST_TIMEOUT_MS) bounds how long one request may hold a connection
 * (slow-body attacks). Unset, it lets the largest complaint a resident may send arrive from a
 * slow phone: 16 MB at 400 kbit/s is 336 s, plus 30 s of slack, so about 6 minutes by default;
 * never under 2 minutes.
 */
export function setServerTimeouts(
  server: Server,
  config: Pick<
    Config,
    'COMPLAINT_BODY_LIMIT_BYTES' | 'KEEP_ALIVE_TIMEOUT_MS' | 'REQUEST_TIMEOUT_MS'
  >,
) {
  server.keepAliveTimeout = config.KEEP_ALIVE_TIMEOUT_MS
  server.headersTimeout = config.KEEP_ALIVE_TIMEOUT_MS + 1_000
  const uploadMs = Math.ceil(config.COMPLAINT_BODY_LIMIT_BYTES / slowUploadBytesPerSecond) * 1000
  server.requestTimeout =
    config.REQUEST_TIMEOUT_MS ?? Math.max(120_000, uploadMs + 30_000, server.headersTimeout + 1_000)
}
