import { createRoute } from '@hono/zod-openapi'
import { listConsoleEnterprises } from '../../../services/admin/enterprises/list.ts'
import { consoleListQuerySchema } from '../../../services/admin/enterprises/schemas.ts'
import { enterprisePageSchema } from '../../../services/enterprises/schemas.ts'
import type { App } from '../../../env.ts'
import { errorResponses } from '../../shared.ts'
import { operatorOf } from '../guard.ts'
import { cityAdminOnly } from './guard.ts'

const route = createRoute({
  method: 'get',
  path: '/admin/enterprises',
  summary: '后台：查找诚信计量单位（市局管理员）',
  description: 'Read from PostgreSQL, so a change shows at once. 20 a page.',
  middleware: cityAdminOnly,
  request: { query: consoleListQuerySchema },
  responses: {
    200: {
      description: 'One page of businesses.',
      content: { 'application/json': { schema: enterprisePageSchema } },
    },
    ...errorResponses(400, 401, 403),
  },
})

export function registerConsoleEnterpriseList(app: App) {
  app.openapi(route, async (c) => {
    const page = await listConsoleEnterprises({
      ctx: c.get('ctx'),
      input: { ...c.req.valid('query'), operator: operatorOf(c) },
    })
    return c.json(page, 200)
  })
}
