import { randomUUID } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Deps } from '../deps.ts'
import { ApiError, errorBody } from '../errors.ts'
import type { Logger } from '../logger.ts'
import { createApp, logRequest } from '../http/app.ts'
import { answerWithFetch } from '../http/node-bridge.ts'
import { setServerTimeouts } from '../http/server-timeouts.ts'

/** The one path the listener answers: the filing form's count (services/complaints/open-cases.ts). */
const openCasesPath = '/api/complaints/open-cases'

export interface OpenCasesListener {
  port: number
  stop: () => Promise<void>
}

/**
 * The filing form's count of a business's open cases (issue 25, item 4) on a port of its own
 * (OPEN_CASES_PORT), answered by the API's own app, middleware and all, on the background thread.
 * That thread runs only on CPU time nothing else wants (priority.ts): residents typing a
 * business's name in a burst of filings get their count a little later, and the filings
 * themselves never wait behind it. Answered beside the web server's port, on every replica, fed
 * by the bureau's nginx (deploy/nginx); the web server still answers the same path itself, for
 * `npm start` alone and as nginx's fallback. Every other path is 404 here. The answers the app
 * lets any cache keep are kept here too, for as long (keptAnswers).
 */
export function listenForOpenCases(
  deps: Deps,
  options: { host: string; port: number },
): Promise<OpenCasesListener> {
  const app = createApp(deps)
  const kept = keptAnswers(deps.logger)
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/'
    const path = url.split('?', 1)[0]
    if (path === openCasesPath) {
      if (req.method === 'GET' && kept.answer(url, res)) return
      void answerWithFetch(
        async (request, env) => kept.keep(url, req.method, await app.fetch(request, env)),
        req,
        res,
        // The app answers its own errors; this is the connection failing under it.
        (error) =>
          deps.logger.warn({ err: { message: error.message } }, 'open-case count answer failed'),
      )
      return
    }
    const refusal = new ApiError(
      'NOT_FOUND',
      `这个端口只回答 ${openCasesPath}；其他接口请访问网站的端口。`,
    )
    res.writeHead(404, {
      'content-type': 'application/json; charset=utf-8',
      'x-content-type-options': 'nosniff',
    })
    res.end(JSON.stringify(errorBody(refusal, randomUUID())))
  })
  // The web server's: idle connections outlive a balancer's, as there.
  setServerTimeouts(server, deps.config)
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => {
      server.off('error', reject)
      resolve({
        port: (server.address() as AddressInfo).port,
        stop: () =>
          new Promise<void>((done) => {
            server.close(() => done())
            server.closeAllConnections()
          }),
      })
    })
  })
}

/** At most so many answers are kept; past it they all go (as the count's own reuse does). */
const keptAtMost = 5_000
const publicMaxAge = /^public, max-age=(\d+)$/

interface KeptAnswer {
  status: number
  headers: Record<string, string>
  body: Buffer
  until: number
}

/**
 * The app's answers to a count, kept by request line for as long as they say any cache may
 * (`Cache-Control: public, max-age=N`, no cookie), as nginx keeps them in front: the same
 * business asked again within that time is answered without the app's routing, validation and
 * middleware, which cost more than the count itself. A kept answer goes out with its own
 * request id and the max-age it has left, so a cache in front never keeps it past the time the
 * app allowed, and the lag the API describes (up to 20 s) holds. Each is still logged.
 */
function keptAnswers(logger: Logger) {
  const answers = new Map<string, KeptAnswer>()
  return {
    /** Writes a kept answer to `url`, if one is fresh; false when the app must answer. */
    answer(url: string, res: http.ServerResponse): boolean {
      const started = performance.now()
      const now = Date.now()
      const hit = answers.get(url)
      if (!hit) return false
      if (hit.until <= now) {
        answers.delete(url)
        return false
      }
      const requestId = randomUUID()
      res.writeHead(hit.status, {
        ...hit.headers,
        'x-request-id': requestId,
        'cache-control': `public, max-age=${Math.floor((hit.until - now) / 1000)}`,
      })
      res.end(hit.body)
      logRequest(logger.child({ requestId }), {
        method: 'GET',
        path: openCasesPath,
        status: hit.status,
        started,
        kept: true,
      })
      return true
    },
    /** Keeps the app's answer to a GET of `url` when it may be kept; returns it either way. */
    async keep(url: string, method: string | undefined, response: Response): Promise<Response> {
      const maxAge = publicMaxAge.exec(response.headers.get('cache-control') ?? '')?.[1]
      if (method !== 'GET' || response.status !== 200 || !maxAge) return response
      if (response.headers.getSetCookie().length > 0) return response
      const body = Buffer.from(await response.arrayBuffer())
      const headers: Record<string, string> = {}
      response.headers.forEach((value, name) => (headers[name] = value))
      if (answers.size >= keptAtMost) answers.clear()
      answers.set(url, {
        status: response.status,
        headers,
        body,
        until: Date.now() + Number(maxAge) * 1000,
      })
      return new Response(body, { status: response.status, headers })
    },
  }
}
