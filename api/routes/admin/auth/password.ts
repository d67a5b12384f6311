import { createRoute } from '@hono/zod-openapi'
import { setCookie } from 'hono/cookie'
import {
  changeConsolePassword,
  changePasswordInputSchema,
} from '../../../services/admin/auth/console.ts'
import { sessionCookieName, sessionCookieOptions } from '../../../services/admin/sessions.ts'
import type { App } from '../../../env.ts'
import { errorResponses } from '../../shared.ts'
import { jsonBody, serveConsoleRoute } from '../console-route.ts'
import { consoleRequestOf, isSecureRequest } from '../guard.ts'
import { issuedSessionSchema } from './schemas.ts'

const route = createRoute({
  method: 'post',
  path: '/admin/auth/password',
  operationId: 'changePassword',
  summary: '修改密码（首次登录必须修改一次性密码）',
  description:
    'The new password: at least 12 characters, not containing the username, not the current ' +
    'one. Every session of the operator ends; a new cookie and CSRF token are issued.',
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          example: {
            currentPassword: 'Kx8-one-time-pass',
            newPassword: 'correct horse battery staple',
            confirmPassword: 'correct horse battery staple',
          },
          schema: changePasswordInputSchema,
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
  serveConsoleRoute(app, route, async (c) => {
    const issued = await changeConsolePassword({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: await jsonBody(c),
    })
    setCookie(c, sessionCookieName, issued.token, sessionCookieOptions(isSecureRequest(c)))
    return c.json({ stage: issued.stage, csrfToken: issued.csrfToken }, 200)
  })
}
