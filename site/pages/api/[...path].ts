import { serveApi } from '../../lib/api-app.ts'

export const prerender = false

/** Every /api request goes to the one Hono app (DESIGN.md section 2). */
export const ALL = serveApi
