import { createRoute, z } from '@hono/zod-openapi'
import { setCookie } from 'hono/cookie'
import { changePassword } from '../../../services/admin/auth/change-password.ts'
import { sessionCookieName, sessionCookieOptions } from '../../../services/admin/sessions.ts'
import type { App } from '../../../env.ts'
import { clientAddress } from '../../client-address.ts'
import { errorResponses } from '../../shared.ts'
import { isSecureRequest, requireOperator, sessionOf } from '../guard.ts'
import { issuedSessionSchema } from './schemas.ts'

const route = createRoute({
  method: 'post',
  path: '/admin/auth/password',
  summary: '修改密码（首次登录必须修改一次性密码）',
  description:
    'The new password: at least 12 characters, not containing the username, not the current ' +
    'one. Every session of the operator ends; a new cookie and CSRF token are issued.',
  middleware: requireOperator({ stages: ['change_password', 'active'] }),
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.object({
            currentPassword: z.string('请填写当前密码').min(1, '请填写当前密码').max(1024),
            newPassword: z.string('请填写新密码').min(1, '请填写新密码').max(1024),
          }),
        },
      },
    },
  },
  responses: {
    200: {
      description: 'Changed; the session was replaced by a new one.',
      content: { 'application/json': { schema: issuedSessionSchema } },
    },
    ...errorResponses(400, 401, 403, 429),
  },
})

export function registerChangePassword(app: App) {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json')
    const issued = await changePassword({
      ctx: c.get('ctx'),
      input: {
        session: sessionOf(c),
        currentPassword: body.currentPassword,
        newPassword: body.newPassword,
        clientAddress: clientAddress(c),
        userAgent: c.req.header('user-agent') ?? '',
      },
    })
    setCookie(c, sessionCookieName, issued.token, sessionCookieOptions(isSecureRequest(c)))
    return c.json({ stage: issued.stage, csrfToken: issued.csrfToken }, 200)
  })
}
