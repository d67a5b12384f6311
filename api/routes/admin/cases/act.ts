import { createRoute } from '@hono/zod-openapi'
import { actOnCaseInConsole } from '../../../services/admin/cases/console.ts'
import { caseActionInputSchema, caseDetailSchema } from '../../../services/admin/cases/schemas.ts'
import type { App } from '../../../env.ts'
import { errorResponses } from '../../shared.ts'
import { jsonBody, serveConsoleRoute } from '../console-route.ts'
import { consoleRequestOf } from '../guard.ts'
import { caseParams } from '../../../services/admin/cases/params.ts'

const route = createRoute({
  method: 'post',
  path: '/admin/cases/{id}/actions',
  operationId: 'actOnCase',
  summary: '办理案件：受理、不予受理、指派、内部备注、记录调解结果、开始核查、办结、归档',
  description:
    '`version` is the one the case was read at: if someone changed the case since, the answer ' +
    'is 409 and nothing is written. An action the current status does not allow is 409 too, ' +
    'with a message naming the status and the possible actions (`details.status`). A `viewer`, ' +
    'or a handler of another county, is refused.',
  request: {
    params: caseParams,
    body: {
      content: {
        'application/json': {
          example: { action: 'accept', version: 3 },
          schema: caseActionInputSchema,
        },
      },
      required: true,
    },
  },
  responses: {
    200: {
      description: 'The case after the action.',
      content: { 'application/json': { schema: caseDetailSchema } },
    },
    ...errorResponses(400, 401, 403, 404, 409),
  },
})

export function registerActOnCase(app: App) {
  serveConsoleRoute(app, route, async (c) => {
    const view = await actOnCaseInConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: async () => ({ id: c.req.param('id'), fields: await jsonBody(c) }),
    })
    return c.json(view, 200)
  })
}
