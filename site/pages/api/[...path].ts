import type { APIRoute } from 'astro'
import { createApp } from '../../../api/http/app.ts'
import { serviceContext } from '../../lib/services.ts'

export const prerender = false

let app: ReturnType<typeof createApp> | undefined

/** Every /api request goes to the one Hono app (DESIGN.md section 2). */
export const ALL: APIRoute = (context) => {
  app ??= createApp(serviceContext())
  let clientAddress: string | undefined
  try {
    clientAddress = context.clientAddress
  } catch {
    // Not every adapter knows the peer; abuse limits then count it as "unknown".
  }
  return app.fetch(context.request, { clientAddress })
}
