import { createRoute, z } from '@hono/zod-openapi'
import { actOnOperatorVerb, operatorParams } from '../../../services/admin/operators/console.ts'
import {
  operatorActionSchema,
  operatorViewSchema,
} from '../../../services/admin/operators/schemas.ts'
import type { App } from '../../../env.ts'
import { errorResponses } from '../../shared.ts'
import { jsonBody, serveConsoleRoute } from '../console-route.ts'
import { consoleRequestOf } from '../guard.ts'

const route = createRoute({
  method: 'post',
  path: '/admin/operators/{id}/actions',
  operationId: 'actOnOperator',
  summary: '后台账号操作：重置密码、停用、启用、解锁、重置动态验证码（仅市局管理员）',
  description:
    'Needs the X-CSRF-Token header. reset_password answers a new one-time password once, clears ' +
    'a lockout and ends every session of the account; disable ends them at once; reset_totp ' +
    'ends them and makes the account enrol again (a city_admin at the next sign-in) and needs ' +
    "the administrator's own currentPassword (400 without it or when wrong). 403 for " +
    'disabling or resetting your own account; 409 when the action does not apply to the account ' +
    'as it is (enable an active one, unlock one not locked).',
  request: {
    params: operatorParams,
    body: {
      content: {
        'application/json': { example: { action: 'reset_password' }, schema: operatorActionSchema },
      },
      required: true,
    },
  },
  responses: {
    200: {
      description: 'Done: the account as it is now.',
      content: {
        'application/json': {
          schema: z.object({
            operator: operatorViewSchema,
            oneTimePassword: z.string().optional(),
          }),
        },
      },
    },
    ...errorResponses(400, 401, 403, 404, 409),
  },
})

export function registerOperatorAction(app: App) {
  serveConsoleRoute(app, route, async (c) => {
    const done = await actOnOperatorVerb({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: async () => ({ id: c.req.param('id'), fields: await jsonBody(c) }),
    })
    // The page names the action done in its notice; the API answers the account as before.
    return c.json({ operator: done.operator, oneTimePassword: done.oneTimePassword }, 200)
  })
}
