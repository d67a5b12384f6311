import { createRoute } from '@hono/zod-openapi'
import { revealContact } from '../../../services/admin/cases/reveal.ts'
import { revealedContactSchema } from '../../../services/admin/cases/schemas.ts'
import type { App } from '../../../env.ts'
import { clientAddress } from '../../client-address.ts'
import { errorResponses } from '../../shared.ts'
import { operatorOf, requireOperator } from '../guard.ts'
import { caseParams } from './params.ts'

const route = createRoute({
  method: 'post',
  path: '/admin/cases/{id}/reveal',
  summary: '查看投诉举报人完整姓名和电话（记入审计日志；只读账号不可用）',
  middleware: requireOperator(),
  request: { params: caseParams },
  responses: {
    200: {
      description: 'The unmasked contact; the reveal is in the audit log.',
      content: { 'application/json': { schema: revealedContactSchema } },
    },
    ...errorResponses(400, 401, 403, 404),
  },
})

export function registerRevealContact(app: App) {
  app.openapi(route, async (c) => {
    const contact = await revealContact({
      ctx: c.get('ctx'),
      operator: operatorOf(c),
      input: { id: c.req.valid('param').id, clientAddress: clientAddress(c) },
    })
    return c.json(contact, 200)
  })
}
