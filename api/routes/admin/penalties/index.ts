import { createRoute } from '@hono/zod-openapi'
import {
  editPenaltyInConsole,
  enterPenaltyInConsole,
  getPenaltyInConsole,
  listPenaltiesInConsole,
} from '../../../services/admin/penalties/console.ts'
import {
  penaltyEditSchema,
  penaltyEntrySchema,
  penaltyListQuerySchema,
  penaltyListSchema,
  penaltyParams,
  penaltyViewSchema,
} from '../../../services/admin/penalties/schemas.ts'
import type { App } from '../../../env.ts'
import { errorResponses } from '../../shared.ts'
import { jsonBody, queryOf, serveConsoleRoute } from '../console-route.ts'
import { consoleRequestOf } from '../guard.ts'

const scope =
  'County-scoped like cases: a county handler sees and writes its county’s penalties, a city ' +
  'administrator any county’s; a viewer reads within its scope.'

const list = createRoute({
  method: 'get',
  path: '/admin/penalties',
  operationId: 'listPenalties',
  summary: '行政处罚列表（含已撤下公示的；可按文号、代码、单位名称搜索）',
  description: `${scope} A \`county\` outside the operator’s scope is 403.`,
  request: { query: penaltyListQuerySchema },
  responses: {
    200: {
      description: 'One page, the latest decisions first.',
      content: { 'application/json': { schema: penaltyListSchema } },
    },
    ...errorResponses(400, 401, 403),
  },
})

const enter = createRoute({
  method: 'post',
  path: '/admin/penalties',
  operationId: 'enterPenalty',
  summary: '录入行政处罚（录入即在信用记录中公示，公示期按处罚种类配置）',
  description:
    `${scope} A code on no list needs \`name\` and \`sector\` (it becomes a market entity). ` +
    '`publishUntil` is the decision date plus the kind’s months (CREDIT_PENALTY_PUBLICATION); ' +
    '`late` says it was entered more than 20 working days after the decision. A 决定书文号 ' +
    'already entered is 400 on `decisionNo`.',
  request: {
    body: {
      content: {
        'application/json': {
          example: {
            uscc: '92331102MA2E0000XW',
            decisionNo: '丽莲市监处罚〔2026〕123 号',
            decidedOn: '2026-12-10',
            kind: 'fine',
            violation: '使用不合格的计量器具（电子计价秤示值超差）。',
            penalty: '没收不合格电子计价秤，罚款 2000 元。',
            legalBasis: '《中华人民共和国计量法实施细则》第四十三条',
            caseTrackingNo: 'JL20261206-4827-3915',
          },
          schema: penaltyEntrySchema,
        },
      },
      required: true,
    },
  },
  responses: {
    201: {
      description: 'The penalty entered.',
      content: { 'application/json': { schema: penaltyViewSchema } },
    },
    ...errorResponses(400, 401, 403),
  },
})

const get = createRoute({
  method: 'get',
  path: '/admin/penalties/{id}',
  operationId: 'getPenalty',
  summary: '一条行政处罚记录',
  description: `${scope} Another county’s answers 404, as an unknown one does.`,
  request: { params: penaltyParams },
  responses: {
    200: {
      description: 'The penalty.',
      content: { 'application/json': { schema: penaltyViewSchema } },
    },
    ...errorResponses(400, 401, 403, 404),
  },
})

const edit = createRoute({
  method: 'post',
  path: '/admin/penalties/{id}/edit',
  operationId: 'editPenalty',
  summary: '修改行政处罚记录（须写明原因；按版本号防止覆盖他人的修改）',
  description:
    `${scope} \`version\` is the one the penalty was read at: if someone changed it since, the ` +
    'answer is 409 and nothing is written. The publication period is reckoned again.',
  request: {
    params: penaltyParams,
    body: {
      content: {
        'application/json': {
          example: {
            version: 1,
            reason: '更正决定书文号的笔误。',
            decisionNo: '丽莲市监处罚〔2026〕124 号',
            decidedOn: '2026-12-10',
            kind: 'fine',
            violation: '使用不合格的计量器具（电子计价秤示值超差）。',
            penalty: '没收不合格电子计价秤，罚款 2000 元。',
            legalBasis: '《中华人民共和国计量法实施细则》第四十三条',
          },
          schema: penaltyEditSchema,
        },
      },
      required: true,
    },
  },
  responses: {
    200: {
      description: 'The penalty after the edit.',
      content: { 'application/json': { schema: penaltyViewSchema } },
    },
    ...errorResponses(400, 401, 403, 404, 409),
  },
})

/** 行政处罚 in the console (issue 22, point 6). */
export function registerPenaltyRoutes(app: App) {
  serveConsoleRoute(app, list, async (c) => {
    const page = await listPenaltiesInConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: queryOf(c),
    })
    return c.json(page, 200)
  })
  serveConsoleRoute(app, enter, async (c) => {
    const view = await enterPenaltyInConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: () => jsonBody(c),
    })
    return c.json(view, 201)
  })
  serveConsoleRoute(app, get, async (c) => {
    const view = await getPenaltyInConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: c.req.param(),
    })
    return c.json(view, 200)
  })
  serveConsoleRoute(app, edit, async (c) => {
    const view = await editPenaltyInConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: async () => ({ id: c.req.param('id'), fields: await jsonBody(c) }),
    })
    return c.json(view, 200)
  })
}
