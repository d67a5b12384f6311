import type { IncomingMessage, ServerResponse } from 'node:http'
import { Readable } from 'node:stream'

/** A fetch handler: the API's Hono app (`app.fetch`) and anything shaped like it. */
export type FetchHandler = (
  request: Request,
  env: { clientAddress?: string | undefined },
) => Response | Promise<Response>

function toRequest(req: IncomingMessage): Request {
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
 * Answers a node:http request with a fetch handler, for servers that host the API's app without
 * the site in front (the count listener, the benchmarks' servers). The client's address is the
 * connection's; the app reads forwarded ones itself when TRUST_PROXY says to. Resolves once the
 * answer is written; a failure under it (the handler throwing, the connection gone) answers 500
 * if it still can and is told to `onFailure`.
 */
export async function answerWithFetch(
  handler: FetchHandler,
  req: IncomingMessage,
  res: ServerResponse,
  onFailure?: (error: Error) => void,
): Promise<void> {
  try {
    const response = await handler(toRequest(req), { clientAddress: req.socket.remoteAddress })
    const headers: Record<string, string | string[]> = {}
    response.headers.forEach((value, name) => (headers[name] = value))
    const cookies = response.headers.getSetCookie()
    if (cookies.length > 0) headers['set-cookie'] = cookies
    res.writeHead(response.status, headers)
    res.end(Buffer.from(await response.arrayBuffer()))
  } catch (error) {
    onFailure?.(error instanceof Error ? error : new Error(String(error)))
    if (!res.headersSent) res.writeHead(500)
    res.end()
  }
}
