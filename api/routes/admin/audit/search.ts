import { createRoute, z } from '@hono/zod-openapi'
import { auditFiltersSchema, searchAuditInConsole } from '../../../services/admin/audit-search.ts'
import type { App } from '../../../env.ts'
import { errorResponses } from '../../shared.ts'
import { queryOf, serveConsoleRoute } from '../console-route.ts'
import { consoleRequestOf } from '../guard.ts'

const entrySchema = z
  .object({
    id: z.string(),
    occurredAt: z.string(),
    username: z.string(),
    action: z.string(),
    complaintId: z.string().nullable(),
    trackingNo: z.string().nullable(),
    enterpriseUscc: z.string().nullable(),
    clientAddress: z.string(),
    detail: z.record(z.string(), z.unknown()),
  })
  .openapi('AuditEntry')

const route = createRoute({
  method: 'get',
  path: '/admin/audit',
  operationId: 'searchAuditLog',
  summary: '审计日志查询（仅市局管理员；最新的在前，每页 50 条）',
  description:
    '`action` is an exact action (auth.sign_in) or a family (auth.*); `complaintId` a case id ' +
    'or a tracking number; `from`/`to` are calendar days in China Standard Time, inclusive.',
  request: { query: auditFiltersSchema },
  responses: {
    200: {
      description: 'One page of entries.',
      content: {
        'application/json': {
          schema: z.object({
            items: z.array(entrySchema),
            total: z.number(),
            page: z.number(),
            pageSize: z.number(),
          }),
        },
      },
    },
    ...errorResponses(400, 401, 403),
  },
})

export function registerSearchAudit(app: App) {
  serveConsoleRoute(app, route, async (c) => {
    const page = await searchAuditInConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: queryOf(c),
    })
    return c.json(page, 200)
  })
}
