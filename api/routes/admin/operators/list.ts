import { createRoute, z } from '@hono/zod-openapi'
import { listOperators } from '../../../services/admin/operators/list.ts'
import { operatorViewSchema } from '../../../services/admin/operators/schemas.ts'
import type { App } from '../../../env.ts'
import { errorResponses } from '../../shared.ts'
import { operatorOf } from '../guard.ts'
import { operatorAdminOnly } from './guard.ts'

const route = createRoute({
  method: 'get',
  path: '/admin/operators',
  summary: '后台账号列表（仅市局管理员）',
  description: 'Every account, the disabled last; last sign-in from the audit log.',
  middleware: operatorAdminOnly,
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
  app.openapi(route, async (c) => {
    const items = await listOperators({ ctx: c.get('ctx'), input: { operator: operatorOf(c) } })
    return c.json({ items }, 200)
  })
}
