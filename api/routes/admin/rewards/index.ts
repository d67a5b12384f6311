import { createRoute } from '@hono/zod-openapi'
import {
  actOnRewardInConsole,
  getCaseRewardInConsole,
  listRewardsInConsole,
  revealPayeeInConsole,
} from '../../../services/admin/rewards/console.ts'
import {
  caseRewardSchema,
  rewardActionSchema,
  rewardCaseParams,
  rewardListQuerySchema,
  rewardListSchema,
  rewardPayeeSchema,
} from '../../../services/admin/rewards/schemas.ts'
import type { App } from '../../../env.ts'
import { errorResponses } from '../../shared.ts'
import { jsonBody, queryOf, serveConsoleRoute } from '../console-route.ts'
import { consoleRequestOf } from '../guard.ts'

const scope =
  'County-scoped like cases: a handler proposes and records payment on cases of their county; ' +
  'only a city administrator approves or refuses (403 for anyone else); a viewer reads only. ' +
  'Amounts are shown here and to the reporter only, never on a public page.'

const list = createRoute({
  method: 'get',
  path: '/admin/rewards',
  operationId: 'listRewards',
  summary: '举报奖励列表（待审批、待发放的在前）',
  description: `${scope} A \`county\` outside the operator’s scope is 403.`,
  request: { query: rewardListQuerySchema },
  responses: {
    200: {
      description: 'One page of rewards in scope.',
      content: { 'application/json': { schema: rewardListSchema } },
    },
    ...errorResponses(400, 401, 403),
  },
})

const get = createRoute({
  method: 'get',
  path: '/admin/cases/{id}/reward',
  operationId: 'getCaseReward',
  summary: '案件的举报奖励及当前账号可进行的操作',
  description: `${scope} A case outside the operator’s scope answers 404, as an unknown one does.`,
  request: { params: rewardCaseParams },
  responses: {
    200: {
      description: 'The reward (null before a proposal) and the steps allowed.',
      content: { 'application/json': { schema: caseRewardSchema } },
    },
    ...errorResponses(400, 401, 403, 404),
  },
})

const act = createRoute({
  method: 'post',
  path: '/admin/cases/{id}/reward',
  operationId: 'actOnCaseReward',
  summary: '提出、批准、不予批准举报奖励，或登记发放（按版本号防止覆盖他人的操作）',
  description:
    `${scope} proposed → approved | refused (a refused one may be proposed again); approved → ` +
    'claimed by the reporter on the tracking page before the deadline → paid. `version` is the ' +
    'reward’s as read, 0 before any proposal. Audited; an approval sends the reporter the ' +
    '`reward_granted` SMS if they asked for messages.',
  request: {
    params: rewardCaseParams,
    body: {
      content: {
        'application/json': {
          example: { action: 'propose', version: 1, amount: '1000.00', rule: 'grade_3' },
          schema: rewardActionSchema,
        },
      },
      required: true,
    },
  },
  responses: {
    200: {
      description: 'The reward after the step.',
      content: { 'application/json': { schema: caseRewardSchema } },
    },
    ...errorResponses(400, 401, 403, 404, 409),
  },
})

const reveal = createRoute({
  method: 'post',
  path: '/admin/cases/{id}/reward/payee',
  operationId: 'revealRewardPayee',
  summary: '查看举报人的完整收款信息（用于转账；每次查看记入审计日志）',
  description:
    `${scope} For a handler or city administrator in scope, never a viewer (403); 409 when ` +
    'there are none (not claimed yet, in person, or erased).',
  request: { params: rewardCaseParams },
  responses: {
    200: {
      description: 'The payee, bank and account in full.',
      content: { 'application/json': { schema: rewardPayeeSchema } },
    },
    ...errorResponses(401, 403, 404, 409),
  },
})

/** 举报奖励 in the console (issue 25, item 5). */
export function registerRewardRoutes(app: App) {
  serveConsoleRoute(app, list, async (c) => {
    const page = await listRewardsInConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: queryOf(c),
    })
    return c.json(page, 200)
  })
  serveConsoleRoute(app, get, async (c) => {
    const view = await getCaseRewardInConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: c.req.param(),
    })
    return c.json(view, 200)
  })
  serveConsoleRoute(app, reveal, async (c) => {
    const payee = await revealPayeeInConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: c.req.param(),
    })
    return c.json(payee, 200)
  })
  serveConsoleRoute(app, act, async (c) => {
    const view = await actOnRewardInConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: async () => ({ id: c.req.param('id'), fields: await jsonBody(c) }),
    })
    return c.json(view, 200)
  })
}
