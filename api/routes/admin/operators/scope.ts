import { createRoute, z } from '@hono/zod-openapi'
import { changeScopeVerb, operatorParams } from '../../../services/admin/operators/console.ts'
import {
  operatorScopeSchema,
  operatorViewSchema,
} from '../../../services/admin/operators/schemas.ts'
import type { App } from '../../../env.ts'
import { errorResponses } from '../../shared.ts'
import { jsonBody, serveConsoleRoute } from '../console-route.ts'
import { consoleRequestOf } from '../guard.ts'

const route = createRoute({
  method: 'post',
  path: '/admin/operators/{id}/scope',
  operationId: 'setOperatorScope',
  summary: '调整后台账号的角色和区县（仅市局管理员）',
  description:
    'Needs the X-CSRF-Token header. Ends every session of the account, so its next sign-in ' +
    'sees only the new scope (a new city_admin enrols a second factor first). 400 for a role ' +
    'and county that do not go together (a county_handler needs a county, a city_admin has ' +
    'none); 403 for your own account; 409 when nothing would change.',
  request: {
    params: operatorParams,
    body: {
      content: { 'application/json': { example: { role: 'viewer' }, schema: operatorScopeSchema } },
      required: true,
    },
  },
  responses: {
    200: {
      description: 'Done: the account as it is now.',
      content: { 'application/json': { schema: z.object({ operator: operatorViewSchema }) } },
    },
    ...errorResponses(400, 401, 403, 404, 409),
  },
})

export function registerOperatorScope(app: App) {
  serveConsoleRoute(app, route, async (c) => {
    const done = await changeScopeVerb({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: async () => ({ id: c.req.param('id'), fields: await jsonBody(c) }),
    })
    return c.json(done, 200)
  })
}
