import type { Context, MiddlewareHandler } from 'hono'
import { getCookie } from 'hono/cookie'
import type { SessionStage } from '../../../db/database.ts'
import type { AppEnv } from '../../env.ts'
import { ApiError } from '../../errors.ts'
import type { SignedInOperator } from '../../services/admin/access.ts'
import { clientAddress } from '../client-address.ts'
import {
  openConsole,
  signedOutMessage,
  type ConsoleRequest,
} from '../../services/admin/console-request.ts'
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

/**
 * Lets a request through only when openConsole accepts it: a live console session, at one of
 * `stages` (default: fully signed in), and for a state-changing request the session's CSRF token
 * in the X-CSRF-Token header.
 */
export function requireOperator(
  options: { stages?: readonly SessionStage[] } = {},
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const session = await openConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      access: { stages: options.stages },
    })
    c.set('session', session)
    c.set('operator', session.operator)
    await next()
  }
}

/** The signed-in operator of a request that passed `requireOperator`. */
export function operatorOf(c: Context<AppEnv>): SignedInOperator {
  const operator = c.get('operator') as SignedInOperator | undefined
  if (!operator) throw new ApiError('UNAUTHORIZED', signedOutMessage)
  return operator
}

/** Whether the request reached us over HTTPS (directly, or through a trusted proxy). */
export function isSecureRequest(c: Context<AppEnv>): boolean {
  return servedOverHttps({
    url: c.req.url,
    forwardedProto: c.req.header('x-forwarded-proto'),
    trustProxy: c.get('deps').config.TRUST_PROXY,
  })
}
