import { createRoute, z } from '@hono/zod-openapi'
import { listOperatorsInConsole } from '../../../services/admin/operators/console.ts'
import { operatorViewSchema } from '../../../services/admin/operators/schemas.ts'
import type { App } from '../../../env.ts'
import { errorResponses } from '../../shared.ts'
import { serveConsoleRoute } from '../console-route.ts'
import { consoleRequestOf } from '../guard.ts'

const route = createRoute({
  method: 'get',
  path: '/admin/operators',
  operationId: 'listOperators',
  summary: '后台账号列表（仅市局管理员）',
  description: 'Every account, the disabled last; last sign-in from the audit log.',
  responses: {
    200: {
      description: 'Every account.',
      content: {
        'application/json': { schema: z.object({ items: z.array(operatorViewSchema) }) },
      },
    },
    ...errorResponses(401, 403),
  },
})

export function registerOperatorList(app: App) {
  serveConsoleRoute(app, route, async (c) => {
    const items = await listOperatorsInConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: {},
    })
    return c.json({ items }, 200)
  })
}
