import { createRoute } from '@hono/zod-openapi'
import { getConsoleEnterprise } from '../../../services/admin/enterprises/get.ts'
import { consoleEnterpriseSchema } from '../../../services/admin/enterprises/schemas.ts'
import type { App } from '../../../env.ts'
import { errorResponses } from '../../shared.ts'
import { operatorOf } from '../guard.ts'
import { cityAdminOnly } from './guard.ts'
import { usccParams } from './params.ts'

const route = createRoute({
  method: 'get',
  path: '/admin/enterprises/{uscc}',
  summary: '后台：单个诚信计量单位，含完整认定记录、版本和可做的操作',
  middleware: cityAdminOnly,
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
  app.openapi(route, async (c) => {
    const enterprise = await getConsoleEnterprise({
      ctx: c.get('ctx'),
      input: { operator: operatorOf(c), uscc: c.req.valid('param').uscc },
    })
    return c.json(enterprise, 200)
  })
}
