import { createRoute } from '@hono/zod-openapi'
import type { App } from '../../../env.ts'
import {
  getRecordInConsole,
  listRecordsInConsole,
} from '../../../services/admin/records/console.ts'
import { usccParams } from '../../../services/admin/enterprises/params.ts'
import {
  consoleRecordSchema,
  recordsPageSchema,
  recordsQuerySchema,
} from '../../../services/admin/records/schemas.ts'
import { errorResponses } from '../../shared.ts'
import { queryOf, serveConsoleRoute } from '../console-route.ts'
import { consoleRequestOf } from '../guard.ts'

const list = createRoute({
  method: 'get',
  path: '/admin/records',
  operationId: 'listCreditRecords',
  summary: '后台：按统一社会信用代码或名称查找单位的信用记录，以及尚未签署承诺的诚信计量单位',
  description: 'County-scoped like cases: a county handler finds and lists only its county.',
  request: { query: recordsQuerySchema },
  responses: {
    200: {
      description: 'Matches and the uncommitted certified businesses.',
      content: { 'application/json': { schema: recordsPageSchema } },
    },
    ...errorResponses(400, 401, 403),
  },
})

const get = createRoute({
  method: 'get',
  path: '/admin/records/{uscc}',
  operationId: 'getConsoleCreditRecord',
  summary: '后台：单位的完整信用记录（含已撤下的处罚、已更正的记录、承诺和异议）',
  description: "A business outside the operator's county answers 404, like an unknown code.",
  request: { params: usccParams },
  responses: {
    200: {
      description: 'The record as the console sees it.',
      content: { 'application/json': { schema: consoleRecordSchema } },
    },
    ...errorResponses(400, 401, 403, 404),
  },
})

export function registerRecordReads(app: App) {
  serveConsoleRoute(app, list, async (c) => {
    const page = await listRecordsInConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: queryOf(c),
    })
    return c.json(page, 200)
  })
  serveConsoleRoute(app, get, async (c) => {
    const record = await getRecordInConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: c.req.param(),
    })
    return c.json(record, 200)
  })
}
