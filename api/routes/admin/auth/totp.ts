import { createRoute, z } from '@hono/zod-openapi'
import { setCookie } from 'hono/cookie'
import {
  submitConsoleTotp,
  totpCodeInputSchema,
  totpEnrolmentInConsole,
} from '../../../services/admin/auth/console.ts'
import { sessionCookieName, sessionCookieOptions } from '../../../services/admin/sessions.ts'
import type { App } from '../../../env.ts'
import { errorResponses } from '../../shared.ts'
import { jsonBody, serveConsoleRoute } from '../console-route.ts'
import { consoleRequestOf, isSecureRequest } from '../guard.ts'

const enrolmentRoute = createRoute({
  method: 'get',
  path: '/admin/auth/totp',
  operationId: 'getTotpEnrolment',
  summary: '动态验证码绑定信息（密钥和 otpauth 链接；已启用时 409）',
  responses: {
    200: {
      description: 'The secret to add to an authenticator app (TOTP, SHA-1, 6 digits, 30 s).',
      content: {
        'application/json': {
          schema: z
            .object({ secret: z.string(), secretGrouped: z.string(), uri: z.string() })
            .openapi('TotpEnrolment'),
        },
      },
    },
    ...errorResponses(401, 403, 409),
  },
})

const codeRoute = createRoute({
  method: 'post',
  path: '/admin/auth/totp',
  operationId: 'verifyTotpCode',
  summary: '提交动态验证码（完成登录，或首次绑定时启用）',
  description:
    'At stage totp a good code finishes signing in and replaces the session (new cookie and ' +
    'CSRF token). Enabling TOTP (the first code) needs `currentPassword` too. A code is ' +
    'accepted once; every code and password is counted before it is checked.',
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          example: { code: '492039' },
          schema: totpCodeInputSchema,
        },
      },
    },
  },
  responses: {
    200: {
      description: 'Accepted. `csrfToken` is present when a new session was issued.',
      content: {
        'application/json': {
          schema: z.object({ stage: z.literal('active'), csrfToken: z.string().optional() }),
        },
      },
    },
    ...errorResponses(400, 401, 403, 409, 429),
  },
})

export function registerTotp(app: App) {
  serveConsoleRoute(app, enrolmentRoute, async (c) => {
    const enrolment = await totpEnrolmentInConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
    })
    return c.json(enrolment, 200)
  })
  serveConsoleRoute(app, codeRoute, async (c) => {
    const { result } = await submitConsoleTotp({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: await jsonBody(c),
    })
    if (result.token === undefined) return c.json({ stage: 'active' as const }, 200)
    setCookie(c, sessionCookieName, result.token, sessionCookieOptions(isSecureRequest(c)))
    return c.json({ stage: 'active' as const, csrfToken: result.csrfToken }, 200)
  })
}
