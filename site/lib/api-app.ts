import type { APIRoute } from 'astro'
import { createApp } from '../../api/http/app.ts'
import { serviceContext } from './services.ts'

let app: ReturnType<typeof createApp> | undefined

/**
 * Hands a request to the one Hono app (DESIGN.md section 2): /api and Open311's /open311/v2,
 * each reaching it through its own catch-all page.
 */
export const serveApi: APIRoute = (context) => {
  app ??= createApp(serviceContext())
  let clientAddress: string | undefined
  try {
    clientAddress = context.clientAddress
  } catch {
    // Not every adapter knows the peer; abuse limits then count it as "unknown".
  }
  return app.fetch(context.request, { clientAddress })
}
