import { serveApi } from '../../lib/api-app.ts'

export const prerender = false

/** Open311 GeoReport v2 (/open311/v2/…) is served by the same Hono app as /api. */
export const ALL = serveApi
