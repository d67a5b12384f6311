import { createRoute } from '@hono/zod-openapi'
import { getCase } from '../../../services/admin/cases/get.ts'
import { caseDetailSchema } from '../../../services/admin/cases/schemas.ts'
import type { App } from '../../../env.ts'
import { errorResponses } from '../../shared.ts'
import { clientAddress } from '../../client-address.ts'
import { operatorOf, requireOperator } from '../guard.ts'
import { caseParams } from './params.ts'

const route = createRoute({
  method: 'get',
  path: '/admin/cases/{id}',
  summary: '案件详情（个人信息已遮盖；含照片、完整办理记录、版本号和可办理的操作）',
  description: 'A case outside the operator’s county answers 404, as an unknown one does.',
  middleware: requireOperator(),
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
  app.openapi(route, async (c) => {
    const view = await getCase({
      ctx: c.get('ctx'),
      operator: operatorOf(c),
      input: { id: c.req.valid('param').id, clientAddress: clientAddress(c) },
    })
    return c.json(view, 200)
  })
}
