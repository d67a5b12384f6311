import type { Context, MiddlewareHandler } from 'hono'
import { getCookie } from 'hono/cookie'
import type { SessionStage } from '../../../db/database.ts'
import type { AppEnv } from '../../env.ts'
import { ApiError } from '../../errors.ts'
import type { SignedInOperator } from '../../services/admin/access.ts'
import {
  csrfTokenMatches,
  loadSession,
  servedOverHttps,
  sessionCookieName,
  type ConsoleSession,
} from '../../services/admin/sessions.ts'

/** Every console response: never stored by a browser or a proxy (it may hold personal data). */
export const consoleNoStore: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next()
  c.header('Cache-Control', 'no-store')
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * Lets a request through only with a live console session, at one of `stages` (default: fully
 * signed in). A state-changing request must also carry the session's CSRF token in the
 * X-CSRF-Token header: a cookie alone, which another site can make a browser send, is not enough.
 */
export function requireOperator(
  options: { stages?: readonly SessionStage[] } = {},
): MiddlewareHandler<AppEnv> {
  const stages = options.stages ?? ['active']
  return async (c, next) => {
    const { db, privacy, sessionCache } = c.get('deps')
    const token = getCookie(c, sessionCookieName)
    const session = await loadSession(db, privacy.hashKey, token, new Date(), sessionCache)
    if (!session) {
      throw new ApiError('UNAUTHORIZED', '登录已失效或尚未登录，请重新登录后台。')
    }
    if (!stages.includes(session.stage)) {
      throw new ApiError(
        'FORBIDDEN',
        session.stage === 'change_password'
          ? '请先修改初始密码，再进行其他操作。'
          : '请先输入动态验证码完成登录。',
      )
    }
    if (
      !safeMethods.has(c.req.method) &&
      !csrfTokenMatches(session.csrfToken, c.req.header('x-csrf-token'))
    ) {
      throw new ApiError('FORBIDDEN', '请求缺少有效的安全令牌（CSRF），请刷新页面后重试。')
    }
    c.set('session', session)
    c.set('operator', session.operator)
    await next()
  }
}

/** The signed-in operator of a request that passed `requireOperator`. */
export function operatorOf(c: Context<AppEnv>): SignedInOperator {
  const operator = c.get('operator') as SignedInOperator | undefined
  if (!operator) throw new ApiError('UNAUTHORIZED', '登录已失效或尚未登录，请重新登录后台。')
  return operator
}

export function sessionOf(c: Context<AppEnv>): ConsoleSession {
  const session = c.get('session') as ConsoleSession | undefined
  if (!session) throw new ApiError('UNAUTHORIZED', '登录已失效或尚未登录，请重新登录后台。')
  return session
}

/** Whether the request reached us over HTTPS (directly, or through a trusted proxy). */
export function isSecureRequest(c: Context<AppEnv>): boolean {
  return servedOverHttps({
    url: c.req.url,
    forwardedProto: c.req.header('x-forwarded-proto'),
    trustProxy: c.get('deps').config.TRUST_PROXY,
  })
}
