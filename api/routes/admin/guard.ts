import type { Context, MiddlewareHandler } from 'hono'
import { getCookie } from 'hono/cookie'
import type { AppEnv } from '../../env.ts'
import { clientAddress } from '../client-address.ts'
import type { ConsoleRequest } from '../../services/admin/console-request.ts'
import { servedOverHttps, sessionCookieName } from '../../services/admin/sessions.ts'

/** Every console response: never stored by a browser or a proxy (it may hold personal data). */
export const consoleNoStore: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next()
  c.header('Cache-Control', 'no-store')
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS'])

/** The console request of a Hono request: what openConsole and the console verbs check. */
export function consoleRequestOf(c: Context<AppEnv>): ConsoleRequest {
  return {
    sessionToken: getCookie(c, sessionCookieName),
    csrfToken: c.req.header('x-csrf-token'),
    origin: c.req.header('origin'),
    host: new URL(c.req.url).host,
    changesState: !safeMethods.has(c.req.method),
    clientAddress: clientAddress(c),
    userAgent: c.req.header('user-agent') ?? '',
    secure: isSecureRequest(c),
  }
}

/** Whether the request reached us over HTTPS (directly, or through a trusted proxy). */
export function isSecureRequest(c: Context<AppEnv>): boolean {
  return servedOverHttps({
    url: c.req.url,
    forwardedProto: c.req.header('x-forwarded-proto'),
    trustProxy: c.get('deps').config.TRUST_PROXY,
  })
}
