import type { APIRoute } from 'astro'
import { createApp } from '../../../api/app.ts'
import { getRuntime } from '../../../api/runtime.ts'

export const prerender = false

let app: ReturnType<typeof createApp> | undefined

/** Every /api request goes to the one Hono app (DESIGN.md section 2). */
export const ALL: APIRoute = ({ request }) => {
  app ??= createApp(getRuntime())
  return app.fetch(request)
}
