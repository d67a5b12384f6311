import { createRoute, z } from '@hono/zod-openapi'
import { claimReward } from '../../services/complaints/reward.ts'
import type { App } from '../../env.ts'
import { clientAddress } from '../client-address.ts'
import { errorResponses } from '../shared.ts'
import { trackedSchema } from './get.ts'

const claimRoute = createRoute({
  method: 'post',
  path: '/complaints/reward-claim',
  operationId: 'claimReward',
  security: [],
  summary: '确认举报奖励的领取方式（批准后在领取期限内，每件一次）',
  description:
    'For a 举报 whose reward was approved, by the holder of its query code (anonymous reporters ' +
    'too), before the claim deadline. `method`: bank_transfer (with `payeeName`, `bankName`, ' +
    '`accountNo`: personal data, sealed, shown masked to the handlers only) or in_person. ' +
    'After the deadline, or a second time, 409.',
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          example: {
            trackingNo: 'JL20261206-4827-3915',
            queryCode: 'K7QM-3XPA',
            method: 'bank_transfer',
            payeeName: '李某某',
            bankName: '中国农业银行丽水分行',
            accountNo: '6228480000000000000',
          },
          schema: z.object({
            trackingNo: z.string('请填写受理编号').max(40, '受理编号有误'),
            queryCode: z.string('请填写查询码').max(40, '查询码有误'),
            method: z.string('请选择领取方式').max(40),
            payeeName: z.string().max(200).optional(),
            bankName: z.string().max(200).optional(),
            accountNo: z.string().max(60).optional(),
          }),
        },
      },
    },
  },
  responses: {
    200: {
      description: 'Confirmed: the case as its reporter sees it, with the reward.',
      content: { 'application/json': { schema: trackedSchema } },
    },
    ...errorResponses(400, 404, 409, 429),
  },
})

/** 举报奖励 on the resident's side (issue 25, item 5). */
export function registerRewardClaim(app: App) {
  app.openapi(claimRoute, async (c) => {
    const body = c.req.valid('json')
    const view = await claimReward({
      ctx: c.get('ctx'),
      input: { ...body, clientAddress: clientAddress(c) },
    })
    c.header('Cache-Control', 'no-store')
    return c.json(view, 200)
  })
}
