import { createRoute } from '@hono/zod-openapi'
import { deleteCookie } from 'hono/cookie'
import { signOut } from '../../../services/admin/auth/sign-out.ts'
import { sessionCookieName, sessionCookieOptions } from '../../../services/admin/sessions.ts'
import { sessionStages } from '../../../../db/database.ts'
import type { App } from '../../../env.ts'
import { clientAddress } from '../../client-address.ts'
import { errorResponses } from '../../shared.ts'
import { isSecureRequest, requireOperator, sessionOf } from '../guard.ts'

const route = createRoute({
  method: 'post',
  path: '/admin/auth/sign-out',
  summary: '退出登录（结束本会话）',
  middleware: requireOperator({ stages: sessionStages }),
  responses: {
    204: { description: 'Signed out; the cookie is cleared.' },
    ...errorResponses(401, 403),
  },
})

export function registerSignOut(app: App) {
  app.openapi(route, async (c) => {
    await signOut({
      ctx: c.get('ctx'),
      input: { session: sessionOf(c), clientAddress: clientAddress(c) },
    })
    deleteCookie(c, sessionCookieName, sessionCookieOptions(isSecureRequest(c)))
    return c.body(null, 204)
  })
}
