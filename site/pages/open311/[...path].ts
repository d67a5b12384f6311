import { serveApi } from '../../lib/api-app.ts'

export const prerender = false

/**
 * Open311 GeoReport v2 (/open311/v2/…) under `astro dev` or another host of the site: the same
 * Hono app as /api. The product's own server answers these paths before Astro (server/open311.ts),
 * since Astro's origin check refuses the form POSTs apps send from their servers.
 */
export const ALL = serveApi
