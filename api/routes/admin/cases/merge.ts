import { createRoute } from '@hono/zod-openapi'
import { mergeCaseInConsole } from '../../../services/admin/cases/console.ts'
import { caseDetailSchema, caseMergeInputSchema } from '../../../services/admin/cases/schemas.ts'
import type { App } from '../../../env.ts'
import { errorResponses } from '../../shared.ts'
import { jsonBody, serveConsoleRoute } from '../console-route.ts'
import { consoleRequestOf } from '../guard.ts'
import { caseParams } from '../../../services/admin/cases/params.ts'

const route = createRoute({
  method: 'post',
  path: '/admin/cases/{id}/merge',
  operationId: 'mergeCase',
  summary: '合并办理：把可能重复的案件并入本案（双方受理编号不变，办理结果告知每位投诉举报人）',
  description:
    '`duplicateId` is merged into the case `{id}`, which must still be at `version`. Both must ' +
    'be open, of one kind, and in the operator’s scope (another county’s case is 404); a 12345 ' +
    'work order is never the one merged away. Refusals are 409 with the reason.',
  request: {
    params: caseParams,
    body: {
      content: {
        'application/json': {
          example: { duplicateId: '1042', version: 3, note: '同一摊位，合并核查。' },
          schema: caseMergeInputSchema,
        },
      },
      required: true,
    },
  },
  responses: {
    200: {
      description: 'The case after the merge, its merged cases listed.',
      content: { 'application/json': { schema: caseDetailSchema } },
    },
    ...errorResponses(400, 401, 403, 404, 409),
  },
})

export function registerMergeCase(app: App) {
  serveConsoleRoute(app, route, async (c) => {
    const view = await mergeCaseInConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: async () => ({ id: c.req.param('id'), fields: await jsonBody(c) }),
    })
    return c.json(view, 200)
  })
}
