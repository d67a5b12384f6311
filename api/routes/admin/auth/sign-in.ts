import { createRoute } from '@hono/zod-openapi'
import { setCookie } from 'hono/cookie'
import { signInInputSchema, signInToConsole } from '../../../services/admin/auth/console.ts'
import { sessionCookieName, sessionCookieOptions } from '../../../services/admin/sessions.ts'
import type { App } from '../../../env.ts'
import { errorResponses } from '../../shared.ts'
import { jsonBody, serveConsoleRoute } from '../console-route.ts'
import { consoleRequestOf, isSecureRequest } from '../guard.ts'
import { issuedSessionSchema, operatorSchema } from './schemas.ts'

const route = createRoute({
  method: 'post',
  path: '/admin/auth/sign-in',
  operationId: 'signIn',
  // Sign-in starts the session: it needs no credential yet (an Origin of this host instead).
  security: [],
  summary: '后台登录（用户名和密码；成功后设置会话 Cookie）',
  description:
    'Starts a new session (any earlier cookie is ended) at the first stage still owed. Five ' +
    'failures in a row lock the account for 15 minutes; 20 failures per 15 minutes from one ' +
    'address pause sign-in from it (429 with Retry-After). An Origin header must name this host.',
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          example: { username: 'lidu.handler', password: 'correct horse battery staple' },
          schema: signInInputSchema,
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
  serveConsoleRoute(app, route, async (c) => {
    const result = await signInToConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: await jsonBody(c),
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
