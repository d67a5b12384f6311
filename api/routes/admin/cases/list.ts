import { createRoute } from '@hono/zod-openapi'
import { listCasesInConsole } from '../../../services/admin/cases/console.ts'
import { caseQueueQuerySchema, caseQueueSchema } from '../../../services/admin/cases/schemas.ts'
import type { App } from '../../../env.ts'
import { errorResponses } from '../../shared.ts'
import { queryOf, serveConsoleRoute } from '../console-route.ts'
import { consoleRequestOf } from '../guard.ts'

const route = createRoute({
  method: 'get',
  path: '/admin/cases',
  operationId: 'listCases',
  summary: '案件队列（按办理期限排序；可筛选、全文搜索；只含本人权限范围内的案件）',
  description:
    'Filters alone are answered by PostgreSQL; `q` searches the private complaints index, where ' +
    'the server adds the operator’s county filter. A `county` outside the operator’s scope is 403. ' +
    '`counts` are per status in the operator’s scope (and the chosen county).',
  request: { query: caseQueueQuerySchema },
  responses: {
    200: {
      description: 'One page of the queue.',
      content: { 'application/json': { schema: caseQueueSchema } },
    },
    ...errorResponses(400, 401, 403),
  },
})

export function registerListCases(app: App) {
  serveConsoleRoute(app, route, async (c) => {
    const queue = await listCasesInConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: queryOf(c),
    })
    return c.json(queue, 200)
  })
}
