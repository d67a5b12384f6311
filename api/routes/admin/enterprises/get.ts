import { createRoute } from '@hono/zod-openapi'
import { getEnterpriseInConsole } from '../../../services/admin/enterprises/console.ts'
import { usccParams } from '../../../services/admin/enterprises/params.ts'
import { consoleEnterpriseSchema } from '../../../services/admin/enterprises/schemas.ts'
import type { App } from '../../../env.ts'
import { errorResponses } from '../../shared.ts'
import { serveConsoleRoute } from '../console-route.ts'
import { consoleRequestOf } from '../guard.ts'

const route = createRoute({
  method: 'get',
  path: '/admin/enterprises/{uscc}',
  operationId: 'getConsoleEnterprise',
  summary: '后台：单个诚信计量单位，含完整认定记录、版本和可做的操作',
  request: { params: usccParams },
  responses: {
    200: {
      description: 'The business as the console shows it.',
      content: { 'application/json': { schema: consoleEnterpriseSchema } },
    },
    ...errorResponses(400, 401, 403, 404),
  },
})

export function registerConsoleEnterpriseGet(app: App) {
  serveConsoleRoute(app, route, async (c) => {
    const enterprise = await getEnterpriseInConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: c.req.param(),
    })
    return c.json(enterprise, 200)
  })
}
