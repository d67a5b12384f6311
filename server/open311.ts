import type { IncomingMessage, ServerResponse } from 'node:http'
import { createRequest, writeResponse } from 'astro/app/node'
import type { Deps } from '../api/deps.ts'
import { open311Base } from '../api/domain/open311.ts'
import { createApp } from '../api/http/app.ts'

/**
 * Open311 GeoReport v2 (/open311/v2), answered here by the API's Hono app before Astro. Its POST
 * is a form an app's server sends without an Origin header, and Astro's origin check
 * (security.checkOrigin, which guards the site's own cookie-authenticated forms) refuses every
 * such form with 403. An Open311 request proves itself with its api_key and no cookie, so a
 * forged cross-site form gains nothing: the check does not apply here, and the rest of the site
 * keeps it. (The catch-all page site/pages/open311/ still answers under `astro dev`.)
 */
export function open311Server(deps: Deps) {
  const app = createApp(deps)
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (!req.url?.startsWith(`${open311Base}/`)) return false
    void (async () => {
      try {
        const response = await app.fetch(createRequest(req), {
          clientAddress: req.socket.remoteAddress,
        })
        await writeResponse(response, res)
      } catch (error) {
        // The app answers its own errors; this is the connection failing under it.
        deps.logger.warn({ err: { message: (error as Error).message } }, 'open311 answer failed')
        if (!res.headersSent) res.statusCode = 500
        res.end()
      }
    })()
    return true
  }
}
