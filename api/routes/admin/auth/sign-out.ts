import { createRoute } from '@hono/zod-openapi'
import { deleteCookie } from 'hono/cookie'
import { signOutOfConsole } from '../../../services/admin/auth/console.ts'
import { sessionCookieName, sessionCookieOptions } from '../../../services/admin/sessions.ts'
import type { App } from '../../../env.ts'
import { errorResponses } from '../../shared.ts'
import { serveConsoleRoute } from '../console-route.ts'
import { consoleRequestOf, isSecureRequest } from '../guard.ts'

const route = createRoute({
  method: 'post',
  path: '/admin/auth/sign-out',
  operationId: 'signOut',
  summary: '退出登录（结束本会话）',
  responses: {
    204: { description: 'Signed out; the cookie is cleared.' },
    ...errorResponses(401, 403),
  },
})

export function registerSignOut(app: App) {
  serveConsoleRoute(app, route, async (c) => {
    await signOutOfConsole({ ctx: c.get('ctx'), request: consoleRequestOf(c) })
    deleteCookie(c, sessionCookieName, sessionCookieOptions(isSecureRequest(c)))
    return c.body(null, 204)
  })
}
