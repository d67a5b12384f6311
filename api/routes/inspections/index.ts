import { createRoute } from '@hono/zod-openapi'
import { getPublicCampaign, listPublicCampaigns } from '../../services/inspections/campaigns.ts'
import {
  publicCampaignListSchema,
  publicCampaignParams,
  publicCampaignSchema,
} from '../../services/inspections/schemas.ts'
import type { App } from '../../env.ts'
import { errorResponses } from '../shared.ts'

// 一公开: published special-inspection campaigns, their draw and results (issue 22, point 8).

const list = createRoute({
  method: 'get',
  path: '/inspections',
  operationId: 'listInspections',
  security: [],
  summary: '已公示的专项检查（双随机、一公开）',
  responses: {
    200: {
      description: 'Published campaigns, newest first.',
      content: { 'application/json': { schema: publicCampaignListSchema } },
    },
  },
})

const get = createRoute({
  method: 'get',
  path: '/inspections/{id}',
  operationId: 'getInspection',
  security: [],
  summary: '一个专项检查的公示结果：抽取种子、方法、权重、抽取范围，每户检查结果和整改情况',
  description:
    'Anyone can re-run the draw from `draw.seed`, `draw.pool` and `draw.weights` (see ' +
    '/inspections/how-to-check). A campaign not yet published answers 404, as an unknown one.',
  request: { params: publicCampaignParams },
  responses: {
    200: {
      description: 'The campaign.',
      content: { 'application/json': { schema: publicCampaignSchema } },
    },
    ...errorResponses(400, 404),
  },
})

export function registerInspectionRoutes(app: App) {
  app.openapi(list, async (c) => {
    c.header('Cache-Control', 'public, max-age=0, s-maxage=60')
    return c.json(await listPublicCampaigns({ ctx: c.get('ctx') }), 200)
  })
  app.openapi(get, async (c) => {
    const campaign = await getPublicCampaign({ ctx: c.get('ctx'), input: c.req.valid('param') })
    c.header('Cache-Control', 'public, max-age=0, s-maxage=60')
    return c.json(campaign, 200)
  })
}
