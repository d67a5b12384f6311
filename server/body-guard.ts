import { randomUUID } from 'node:crypto'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { bodyLimitFor, type BodyLimit } from '../api/body-limits.ts'
import type { Config } from '../api/config.ts'
import { ApiError, errorBody } from '../api/errors.ts'
import { open311Base } from '../api/domain/open311.ts'
import { toXml } from '../api/routes/open311/xml.ts'

/**
 * A request whose body the guard has read: Astro's node adapter takes a `body` already on the
 * request (as it does from Express body parsers) instead of reading the socket again.
 */
type ReadRequest = IncomingMessage & { body?: Buffer }

type GuardConfig = Pick<Config, 'BODY_LIMIT_BYTES' | 'COMPLAINT_BODY_LIMIT_BYTES'>

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  )

/** The request's path, without its query (which may carry a query code). */
function pathOf(req: IncomingMessage): string {
  try {
    return new URL(req.url ?? '/', 'http://localhost').pathname
  } catch {
    return '/'
  }
}

/** A short page for a form post: what was too large, how to fix it, and the way back. */
function tooLargePage(limit: BodyLimit, path: string): string {
  // Back to the form (a GET shows it again); never to another site (`//host` is one).
  const back = path.startsWith('/') && !path.startsWith('//') ? path : '/'
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>提交的内容过大 - 丽水诚信计量</title>
</head>
<body>
<main>
<h1>提交的内容过大，未能提交</h1>
<p>${escapeHtml(limit.message)}</p>
<p><a href="${escapeHtml(back)}">返回重新填写</a> · <a href="/">返回首页</a></p>
</main>
</body>
</html>
`
}

/**
 * Answers 413 in the route's kind: a short page for a form, the one error shape for `/api`, the
 * specification's error list for Open311.
 */
function refuse(res: ServerResponse, limit: BodyLimit, path: string) {
  res.statusCode = 413
  res.setHeader('Cache-Control', 'no-store')
  if (path === '/api' || path.startsWith('/api/')) {
    const requestId = randomUUID()
    const body = errorBody(
      new ApiError('PAYLOAD_TOO_LARGE', limit.message, { limitBytes: limit.maxBytes }),
      requestId,
    )
    res.setHeader('Content-Type', 'application/json; charset=utf-8')
    res.setHeader('X-Request-Id', requestId)
    res.setHeader('X-Content-Type-Options', 'nosniff')
    res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'")
    res.end(JSON.stringify(body))
  } else if (path.startsWith(`${open311Base}/`)) {
    // Open311 GeoReport v2's error list, in the format the path asks for (.xml or .json).
    const errors = [{ code: 413, description: limit.message }]
    const xml = path.endsWith('.xml')
    res.setHeader('Content-Type', `${xml ? 'text/xml' : 'application/json'}; charset=utf-8`)
    res.setHeader('X-Content-Type-Options', 'nosniff')
    res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'")
    res.end(xml ? toXml('errors', errors) : JSON.stringify(errors))
  } else {
    res.setHeader('Content-Type', 'text/html; charset=utf-8')
    res.end(tooLargePage(limit, path))
  }
}

/** How long a refused upload's connection is drained after the answer, at most. */
const lingerMs = 2_000

/**
 * The connection ends with the answer, so what the client still sends is never taken in for
 * another request. Node would destroy the socket the moment the answer is flushed; with the
 * client's bytes still unread, the kernel then sends a reset that can reach the client before it
 * has read the 413, and a browser shows a connection error instead of our page. So, as nginx's
 * lingering close does, our side is closed at once and what still arrives is read and thrown away
 * (none of it kept) until the client hangs up, for 2 s at most.
 */
function closeAfterAnswer(req: IncomingMessage, res: ServerResponse) {
  res.setHeader('Connection', 'close')
  const socket = req.socket
  socket.destroySoon = () => {
    if (socket.writable) socket.end()
    req.removeAllListeners('data')
    req.resume()
    const timer = setTimeout(() => socket.destroy(), lingerMs)
    socket.once('close', () => clearTimeout(timer))
  }
}

/**
 * Bounds every request body by its route's limit (api/body-limits.ts), counting the bytes as
 * they arrive, so a chunked body is held to it as well as a declared one (issue 20: a 200 MB form
 * post once took the server from 340 MB to 977 MB). A body within the limit is read here and
 * handed on whole; one over it is kept no further: the answer is 413 and the connection is
 * closed after it, so what the client still sends is never held. The API's own `bodyLimit`
 * (api/http/app.ts) holds the same table for every other host of the Hono app.
 */
export function guardBody(
  config: GuardConfig,
  req: IncomingMessage,
  res: ServerResponse,
  next: () => void,
) {
  const declared = req.headers['content-length']
  const chunked = req.headers['transfer-encoding'] !== undefined
  // No body at all (every GET a browser sends): nothing to count.
  if (!chunked && (declared === undefined || Number(declared) === 0)) {
    next()
    return
  }
  const request: ReadRequest = req
  const path = pathOf(req)
  const limit = bodyLimitFor(config, path)
  const tooLarge = (received: number) => {
    closeAfterAnswer(req, res)
    if (limit.pageAnswers) {
      // The page refuses from the declared length and shows its form again with the reason; a
      // chunked body is declared at the bytes received, which is already over the limit.
      req.headers['content-length'] = String(received)
      delete req.headers['transfer-encoding']
      request.body = Buffer.alloc(0)
      next()
    } else {
      refuse(res, limit, path)
    }
  }

  if (!chunked && Number(declared) > limit.maxBytes) {
    tooLarge(Number(declared))
    return
  }
  const chunks: Buffer[] = []
  let received = 0
  const onData = (chunk: Buffer) => {
    received += chunk.length
    if (received <= limit.maxBytes) {
      chunks.push(chunk)
      return
    }
    req.off('data', onData)
    req.off('end', onEnd)
    // No more reading while the answer is made: TCP holds the client back meanwhile.
    req.pause()
    chunks.length = 0
    tooLarge(received)
  }
  const onEnd = () => {
    request.body = Buffer.concat(chunks, received)
    // The pieces are garbage now; the listeners would keep them alive as long as the request.
    chunks.length = 0
    req.off('data', onData)
    next()
  }
  // A client that goes away mid-body leaves nothing to answer; the socket is already closed.
  req.on('error', () => undefined)
  req.on('data', onData)
  req.once('end', onEnd)
}

/**
 * A client that asks before sending (`Expect: 100-continue`, as curl does for large bodies) is
 * told to go on only when its declared body fits its route; otherwise it gets the 413 at once and
 * sends nothing. Node would otherwise invite every body before the request is seen.
 */
export function answerExpectContinue(server: Server, config: GuardConfig) {
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    const declared = Number(req.headers['content-length'])
    const chunked = req.headers['transfer-encoding'] !== undefined
    if (chunked || !(declared > bodyLimitFor(config, pathOf(req)).maxBytes)) res.writeContinue()
    server.emit('request', req, res)
  })
}
