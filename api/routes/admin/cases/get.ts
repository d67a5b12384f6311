import { createRoute } from '@hono/zod-openapi'
import { getCaseInConsole } from '../../../services/admin/cases/console.ts'
import { caseDetailSchema } from '../../../services/admin/cases/schemas.ts'
import type { App } from '../../../env.ts'
import { errorResponses } from '../../shared.ts'
import { serveConsoleRoute } from '../console-route.ts'
import { consoleRequestOf } from '../guard.ts'
import { caseParams } from '../../../services/admin/cases/params.ts'

const route = createRoute({
  method: 'get',
  path: '/admin/cases/{id}',
  operationId: 'getCase',
  summary: '案件详情（个人信息已遮盖；含照片、完整办理记录、版本号和可办理的操作）',
  description: 'A case outside the operator’s county answers 404, as an unknown one does.',
  request: { params: caseParams },
  responses: {
    200: {
      description: 'The case.',
      content: { 'application/json': { schema: caseDetailSchema } },
    },
    ...errorResponses(400, 401, 403, 404),
  },
})

export function registerGetCase(app: App) {
  serveConsoleRoute(app, route, async (c) => {
    const view = await getCaseInConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: c.req.param(),
    })
    return c.json(view, 200)
  })
}
