import { createRoute } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { ConsoleCall } from '../../../services/admin/console-request.ts'
import {
  createCampaignInConsole,
  drawCampaignInConsole,
  getCampaignInConsole,
  listCampaignsInConsole,
  listRecusalsInConsole,
  publishCampaignInConsole,
  recordRecusalInConsole,
  withdrawRecusalInConsole,
} from '../../../services/admin/campaigns/console.ts'
import {
  campaignDetailSchema,
  campaignIdParams,
  campaignListSchema,
  createCampaignSchema,
  drawCampaignSchema,
  publishCampaignSchema,
  recusalListSchema,
  recusalSchema,
} from '../../../services/admin/campaigns/schemas.ts'
import type { App, AppEnv } from '../../../env.ts'
import { errorResponses } from '../../shared.ts'
import { jsonBody, serveConsoleRoute, type ConsoleRouteConfig } from '../console-route.ts'
import { consoleRequestOf } from '../guard.ts'

// 专项检查 and the 双随机 draw in the console's API (issue 22, point 3). Each route calls one
// console verb, which checks the session, CSRF, scope and input itself.

const json = <S>(schema: S, description: string) => ({
  description,
  content: { 'application/json': { schema } },
})

const routes = {
  list: createRoute({
    method: 'get',
    path: '/admin/campaigns',
    operationId: 'listCampaigns',
    summary: '专项检查列表（本人区县范围内；含逾期未检查、整改逾期未复查的户数）',
    responses: {
      200: json(campaignListSchema, 'Campaigns, newest first.'),
      ...errorResponses(401, 403),
    },
  }),
  create: createRoute({
    method: 'post',
    path: '/admin/campaigns',
    operationId: 'createCampaign',
    summary: '新建专项检查（区县执法人员只能为本区县新建；每户检查人员至少 2 名）',
    description: 'Needs the X-CSRF-Token header. A viewer is refused (403).',
    request: {
      body: {
        content: {
          'application/json': {
            example: {
              title: '2026 年冬季集贸市场衡器专项检查',
              kind: 'market_scale',
              startsOn: '2026-12-01',
              endsOn: '2026-12-31',
              counties: ['331102'],
              sectors: ['market'],
              drawSize: 20,
              inspectorsPerVisit: 2,
            },
            schema: createCampaignSchema,
          },
        },
        required: true,
      },
    },
    responses: {
      201: json(campaignDetailSchema, 'The new campaign, not drawn yet.'),
      ...errorResponses(400, 401, 403),
    },
  }),
  get: createRoute({
    method: 'get',
    path: '/admin/campaigns/{id}',
    operationId: 'getCampaign',
    summary:
      '专项检查详情：抽取结果（种子、方法、权重、抽取范围）、每户检查状态和检查人员、逾期情况',
    description: 'A campaign not covering the operator’s county answers 404, as an unknown one.',
    request: { params: campaignIdParams },
    responses: {
      200: json(campaignDetailSchema, 'The campaign.'),
      ...errorResponses(400, 401, 403, 404),
    },
  }),
  draw: createRoute({
    method: 'post',
    path: '/admin/campaigns/{id}/draw',
    operationId: 'drawCampaign',
    summary: '双随机抽取（每个专项检查一次；记录并公开种子、方法、权重和抽取范围）',
    description:
      'Needs the X-CSRF-Token header. 409 when `version` is stale, the campaign was drawn ' +
      'already, its pool is empty, or a drawn business’s county has too few inspectors who have ' +
      'not recused themselves (details.reason = "too_few_inspectors"; nothing is drawn).',
    request: {
      params: campaignIdParams,
      body: {
        content: { 'application/json': { example: { version: 1 }, schema: drawCampaignSchema } },
        required: true,
      },
    },
    responses: {
      200: json(campaignDetailSchema, 'The campaign with its draw and visits.'),
      ...errorResponses(400, 401, 403, 404, 409),
    },
  }),
  publish: createRoute({
    method: 'post',
    path: '/admin/campaigns/{id}/publish',
    operationId: 'publishCampaign',
    summary: '公示专项检查结果（须填写原因；此后公开页面 /inspections/{id} 可见）',
    request: {
      params: campaignIdParams,
      body: {
        content: {
          'application/json': {
            example: { version: 4, reason: '检查结果已复核，按期公示。' },
            schema: publishCampaignSchema,
          },
        },
        required: true,
      },
    },
    responses: {
      200: json(campaignDetailSchema, 'The campaign, published.'),
      ...errorResponses(400, 401, 403, 404, 409),
    },
  }),
  recusals: createRoute({
    method: 'get',
    path: '/admin/recusals',
    operationId: 'listRecusals',
    summary: '回避登记（本人的；市局管理员看全部）',
    responses: {
      200: json(recusalListSchema, 'Recusals in force.'),
      ...errorResponses(401, 403),
    },
  }),
  recuse: createRoute({
    method: 'post',
    path: '/admin/recusals',
    operationId: 'recordRecusal',
    summary: '登记回避（本人；市局管理员可为他人登记，填 operatorId），须填写原因',
    request: {
      body: {
        content: {
          'application/json': {
            example: { uscc: '92331102MA2E0000XW', reason: '本人亲属经营该单位。' },
            schema: recusalSchema,
          },
        },
        required: true,
      },
    },
    responses: {
      200: json(recusalListSchema, 'Recusals in force.'),
      ...errorResponses(400, 401, 403),
    },
  }),
  withdraw: createRoute({
    method: 'post',
    path: '/admin/recusals/withdraw',
    operationId: 'withdrawRecusal',
    summary: '撤回回避登记，须填写原因',
    request: {
      body: {
        content: {
          'application/json': {
            example: { uscc: '92331102MA2E0000XW', reason: '亲属已不再经营该单位。' },
            schema: recusalSchema,
          },
        },
        required: true,
      },
    },
    responses: {
      200: json(recusalListSchema, 'Recusals in force.'),
      ...errorResponses(400, 401, 403, 404),
    },
  }),
} satisfies Record<string, ConsoleRouteConfig>

type Verb = (call: ConsoleCall) => Promise<unknown>

function serve(
  app: App,
  route: ConsoleRouteConfig,
  verb: Verb,
  input: (c: Context<AppEnv>) => unknown,
  status: 200 | 201 = 200,
) {
  serveConsoleRoute(app, route, async (c) => {
    const answer = await verb({ ctx: c.get('ctx'), request: consoleRequestOf(c), input: input(c) })
    return c.json(answer as object, status)
  })
}

/** Campaigns, their draw and 公示, and recusals (回避). */
export function registerCampaignRoutes(app: App) {
  const none = () => ({})
  const body = (c: Context<AppEnv>) => () => jsonBody(c)
  const idAndBody = (c: Context<AppEnv>) => async () => ({
    id: c.req.param('id'),
    fields: await jsonBody(c),
  })
  serve(app, routes.list, listCampaignsInConsole, none)
  serve(app, routes.create, createCampaignInConsole, body, 201)
  serve(app, routes.get, getCampaignInConsole, (c) => c.req.param())
  serve(app, routes.draw, drawCampaignInConsole, idAndBody)
  serve(app, routes.publish, publishCampaignInConsole, idAndBody)
  serve(app, routes.recusals, listRecusalsInConsole, none)
  serve(app, routes.recuse, recordRecusalInConsole, body)
  serve(app, routes.withdraw, withdrawRecusalInConsole, body)
}
