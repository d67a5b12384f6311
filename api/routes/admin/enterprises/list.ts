import { createRoute } from '@hono/zod-openapi'
import { listEnterprisesInConsole } from '../../../services/admin/enterprises/list.ts'
import { consoleListQuerySchema } from '../../../services/admin/enterprises/schemas.ts'
import { enterprisePageSchema } from '../../../services/enterprises/schemas.ts'
import type { App } from '../../../env.ts'
import { errorResponses } from '../../shared.ts'
import { queryOf, serveConsoleRoute } from '../console-route.ts'
import { consoleRequestOf } from '../guard.ts'

const route = createRoute({
  method: 'get',
  path: '/admin/enterprises',
  operationId: 'listConsoleEnterprises',
  summary: '后台：查找诚信计量单位（市局管理员）',
  description: 'Read from PostgreSQL, so a change shows at once. 20 a page.',
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
  serveConsoleRoute(app, route, async (c) => {
    const page = await listEnterprisesInConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: queryOf(c),
    })
    return c.json(page, 200)
  })
}
