import { createRoute } from '@hono/zod-openapi'
import { recordVisitInConsole } from '../../../services/admin/visits/console.ts'
import {
  visitDetailSchema,
  visitParams,
  visitRecordInputSchema,
} from '../../../services/admin/visits/schemas.ts'
import type { App } from '../../../env.ts'
import { errorResponses } from '../../shared.ts'
import { jsonBody, serveConsoleRoute } from '../console-route.ts'
import { consoleRequestOf } from '../guard.ts'

const route = createRoute({
  method: 'post',
  path: '/admin/visits/{id}',
  operationId: 'recordVisit',
  summary: '保存检查记录：检查日期、在场人员、计量器具、检查发现、结论、责令整改、复查',
  description:
    'The whole record each time, with the `version` it was read at. If someone saved the visit ' +
    'since, the answer is 409 and nothing is written; `details.visit` is the visit as it is now. ' +
    'The result is 不合格 when any instrument fails or its verification lapsed, and then ' +
    '`rectificationDue` is required. The first save publishes the result (`publishedAt`); ' +
    'changing a published record needs a `reason`. A `viewer` is refused (403); a handler of ' +
    'another county who is not an inspector of the visit gets 404.',
  request: {
    params: visitParams,
    body: {
      content: {
        'application/json': {
          example: {
            version: 0,
            visitedOn: '2026-12-03',
            inspectorIds: ['4', '7'],
            instruments: [
              {
                kind: '电子计价秤',
                makerModel: 'ACS-15',
                serialNo: 'A1234567',
                verificationValid: true,
                passed: true,
                measuredError: '+2 g',
              },
            ],
            findings: '计量器具检定合格，称量准确。',
            result: 'pass',
          },
          schema: visitRecordInputSchema,
        },
      },
      required: true,
    },
  },
  responses: {
    200: {
      description: 'The visit after the save.',
      content: { 'application/json': { schema: visitDetailSchema } },
    },
    ...errorResponses(400, 401, 403, 404, 409, 415),
  },
})

export function registerRecordVisit(app: App) {
  serveConsoleRoute(app, route, async (c) => {
    const view = await recordVisitInConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: async () => ({ id: c.req.param('id'), fields: await jsonBody(c) }),
    })
    return c.json(view, 200)
  })
}
