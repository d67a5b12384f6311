import { createRoute, z } from '@hono/zod-openapi'
import type { MiddlewareHandler } from 'hono'
import { getCookie, setCookie } from 'hono/cookie'
import { originMatchesHost } from '../../../services/admin/auth/origin.ts'
import { signIn } from '../../../services/admin/auth/sign-in.ts'
import { sessionCookieName, sessionCookieOptions } from '../../../services/admin/sessions.ts'
import type { App, AppEnv } from '../../../env.ts'
import { ApiError } from '../../../errors.ts'
import { clientAddress } from '../../client-address.ts'
import { errorResponses } from '../../shared.ts'
import { isSecureRequest } from '../guard.ts'
import { issuedSessionSchema, operatorSchema } from './schemas.ts'

const sameOrigin: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!originMatchesHost(c.req.header('origin'), new URL(c.req.url).host)) {
    throw new ApiError('FORBIDDEN', '登录请求来自其他网站，已拒绝。请直接打开后台登录页登录。')
  }
  await next()
}

const route = createRoute({
  method: 'post',
  path: '/admin/auth/sign-in',
  summary: '后台登录（用户名和密码；成功后设置会话 Cookie）',
  description:
    'Starts a new session (any earlier cookie is ended) at the first stage still owed. Five ' +
    'failures in a row lock the account for 15 minutes; 20 failures per 15 minutes from one ' +
    'address pause sign-in from it (429 with Retry-After). An Origin header must name this host.',
  middleware: sameOrigin,
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.object({
            username: z.string('请填写用户名').trim().min(1, '请填写用户名').max(100, '用户名过长'),
            password: z.string('请填写密码').min(1, '请填写密码').max(1024, '密码过长'),
          }),
        },
      },
    },
  },
  responses: {
    200: {
      description: 'Signed in (or part way: see stage); the session cookie is set.',
      content: {
        'application/json': {
          schema: issuedSessionSchema.extend({ operator: operatorSchema }),
        },
      },
    },
    ...errorResponses(400, 401, 403, 429),
  },
})

export function registerSignIn(app: App) {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json')
    const result = await signIn({
      ctx: c.get('ctx'),
      input: {
        username: body.username,
        password: body.password,
        clientAddress: clientAddress(c),
        userAgent: c.req.header('user-agent') ?? '',
        previousToken: getCookie(c, sessionCookieName),
      },
    })
    setCookie(c, sessionCookieName, result.token, sessionCookieOptions(isSecureRequest(c)))
    const { username, role, countyCode } = result.operator
    return c.json(
      {
        stage: result.stage,
        csrfToken: result.csrfToken,
        operator: { username, role, countyCode },
      },
      200,
    )
  })
}
