import { createRoute } from '@hono/zod-openapi'
import { getVisitInConsole } from '../../../services/admin/visits/console.ts'
import { visitDetailSchema, visitParams } from '../../../services/admin/visits/schemas.ts'
import type { App } from '../../../env.ts'
import { errorResponses } from '../../shared.ts'
import { serveConsoleRoute } from '../console-route.ts'
import { consoleRequestOf } from '../guard.ts'

const route = createRoute({
  method: 'get',
  path: '/admin/visits/{id}',
  operationId: 'getVisit',
  summary: '专项检查的一次检查：被抽中的单位、指派的检查人员、检查记录、照片、版本号',
  description:
    'A visit outside the operator’s county answers 404, as an unknown one does, unless the ' +
    'operator is one of its assigned inspectors. `mayEdit` says whether this operator may save it.',
  request: { params: visitParams },
  responses: {
    200: {
      description: 'The visit.',
      content: { 'application/json': { schema: visitDetailSchema } },
    },
    ...errorResponses(400, 401, 403, 404),
  },
})

export function registerGetVisit(app: App) {
  serveConsoleRoute(app, route, async (c) => {
    const view = await getVisitInConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: c.req.param(),
    })
    return c.json(view, 200)
  })
}
