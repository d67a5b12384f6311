import { createRoute, z } from '@hono/zod-openapi'
import { setCookie } from 'hono/cookie'
import { totpEnrolment } from '../../../services/admin/auth/totp-enrolment.ts'
import { submitTotpCode } from '../../../services/admin/auth/totp-verify.ts'
import { sessionCookieName, sessionCookieOptions } from '../../../services/admin/sessions.ts'
import type { App } from '../../../env.ts'
import { clientAddress } from '../../client-address.ts'
import { errorResponses } from '../../shared.ts'
import { isSecureRequest, requireOperator, sessionOf } from '../guard.ts'

const enrolmentRoute = createRoute({
  method: 'get',
  path: '/admin/auth/totp',
  summary: '动态验证码绑定信息（密钥和 otpauth 链接；已启用时 409）',
  middleware: requireOperator({ stages: ['totp', 'active'] }),
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
  summary: '提交动态验证码（完成登录，或首次绑定时启用）',
  description:
    'At stage totp a good code finishes signing in and replaces the session (new cookie and ' +
    'CSRF token). Enabling TOTP (the first code) needs `currentPassword` too. A code is ' +
    'accepted once; every code and password is counted before it is checked.',
  middleware: requireOperator({ stages: ['totp', 'active'] }),
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.object({
            code: z.string('请填写 6 位验证码').max(20, '验证码是 6 位数字'),
            /** Required to enable TOTP (enrolment); ignored when the code finishes a sign-in. */
            currentPassword: z.string('请填写当前密码').max(1024).optional(),
          }),
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
  app.openapi(enrolmentRoute, async (c) => {
    const enrolment = await totpEnrolment({ ctx: c.get('ctx'), input: { session: sessionOf(c) } })
    return c.json(enrolment, 200)
  })
  app.openapi(codeRoute, async (c) => {
    const result = await submitTotpCode({
      ctx: c.get('ctx'),
      input: {
        session: sessionOf(c),
        code: c.req.valid('json').code,
        currentPassword: c.req.valid('json').currentPassword,
        clientAddress: clientAddress(c),
        userAgent: c.req.header('user-agent') ?? '',
      },
    })
    if (result.token === undefined) return c.json({ stage: 'active' as const }, 200)
    setCookie(c, sessionCookieName, result.token, sessionCookieOptions(isSecureRequest(c)))
    return c.json({ stage: 'active' as const, csrfToken: result.csrfToken }, 200)
  })
}
