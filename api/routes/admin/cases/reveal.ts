import { createRoute } from '@hono/zod-openapi'
import { revealContactInConsole } from '../../../services/admin/cases/console.ts'
import { revealedContactSchema } from '../../../services/admin/cases/schemas.ts'
import type { App } from '../../../env.ts'
import { errorResponses } from '../../shared.ts'
import { serveConsoleRoute } from '../console-route.ts'
import { consoleRequestOf } from '../guard.ts'
import { caseParams } from '../../../services/admin/cases/params.ts'

const route = createRoute({
  method: 'post',
  path: '/admin/cases/{id}/reveal',
  operationId: 'revealCaseContact',
  summary: '查看投诉举报人完整姓名和电话（记入审计日志；只读账号不可用）',
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
  serveConsoleRoute(app, route, async (c) => {
    const contact = await revealContactInConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: c.req.param(),
    })
    return c.json(contact, 200)
  })
}
