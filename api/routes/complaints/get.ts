import { createRoute, z } from '@hono/zod-openapi'
import { complaintStatuses } from '../../../db/database.ts'
import { residentRatings } from '../../domain/complaints.ts'
import { rewardMethods } from '../../domain/rewards.ts'
import { trackComplaint } from '../../services/complaints/track.ts'
import type { App } from '../../env.ts'
import { errorResponses } from '../shared.ts'
import { clientAddress } from '../client-address.ts'

export const trackedSchema = z
  .object({
    trackingNo: z.string(),
    kind: z.enum(['complaint', 'report']),
    category: z.string(),
    status: z.enum(complaintStatuses),
    receivedAt: z.string(),
    dueAt: z.string(),
    timeline: z.array(z.object({ kind: z.string(), note: z.string(), at: z.string() })),
    /** 满意度与复核: what the resident may still do about the outcome. */
    feedback: z.object({
      rating: z.enum(residentRatings).nullable(),
      mayRate: z.boolean(),
      mayRequestReview: z.boolean(),
      reviewUntil: z.string().nullable(),
      reviewRequested: z.boolean(),
    }),
    /**
     * 举报奖励, from its approval on (null before, and for a 投诉): the amount (yuan, shown to the
     * holder of the query code only), by when and how to confirm receipt, and the payment.
     */
    reward: z
      .object({
        state: z.enum(['approved', 'claimed', 'paid']),
        stateName: z.string(),
        amount: z.string(),
        ruleName: z.string(),
        mayClaim: z.boolean(),
        expired: z.boolean(),
        claimUntil: z.string().nullable(),
        claimedAt: z.string().nullable(),
        claimMethod: z.enum(rewardMethods).nullable(),
        claimMethodName: z.string().nullable(),
        paidOn: z.string().nullable(),
        paymentMethodName: z.string().nullable(),
        paymentReference: z.string().nullable(),
      })
      .nullable(),
  })
  .openapi('TrackedComplaint')

const route = createRoute({
  method: 'get',
  path: '/complaints/{trackingNo}',
  operationId: 'getComplaint',
  security: [],
  summary: '查询投诉举报进度（需查询码，不含个人信息）',
  request: {
    params: z.object({ trackingNo: z.string().max(40, '受理编号有误') }),
    headers: z.object({
      'x-query-code': z.string('请在 X-Query-Code 请求头中提供查询码').max(40, '查询码有误'),
    }),
  },
  responses: {
    200: {
      description: 'Status and public timeline.',
      content: { 'application/json': { schema: trackedSchema } },
    },
    ...errorResponses(400, 404, 429),
  },
})

/**
 * The same lookup with both values in a JSON body. A header carries only Latin-1, so a code typed
 * with a Chinese input method (ｋ７ｑｍ－３ｘｐａ) cannot travel in X-Query-Code; in a body it can,
 * and it stays out of every address, history list and referrer.
 */
const lookupRoute = createRoute({
  method: 'post',
  path: '/complaints/lookup',
  operationId: 'trackComplaint',
  security: [],
  summary: '查询投诉举报进度（受理编号和查询码放在 JSON 请求体中，可用全角字符）',
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          example: { trackingNo: 'JL20261206-4827-3915', queryCode: 'K7QM-3XPA' },
          schema: z.object({
            /** 受理编号, as typed: any case, full-width, with or without hyphens. */
            trackingNo: z.string('请填写受理编号').max(40, '受理编号有误'),
            /** 查询码, as typed: any case, full-width, with or without the hyphen. */
            queryCode: z.string('请填写查询码').max(40, '查询码有误'),
          }),
        },
      },
    },
  },
  responses: {
    200: {
      description: 'Status and public timeline.',
      content: { 'application/json': { schema: trackedSchema } },
    },
    ...errorResponses(400, 404, 429),
  },
})

export function registerGetComplaint(app: App) {
  app.openapi(lookupRoute, async (c) => {
    const { trackingNo, queryCode } = c.req.valid('json')
    const view = await trackComplaint({
      ctx: c.get('ctx'),
      input: { trackingNo, queryCode, clientAddress: clientAddress(c) },
    })
    c.header('Cache-Control', 'no-store')
    return c.json(view, 200)
  })

  app.openapi(route, async (c) => {
    const view = await trackComplaint({
      ctx: c.get('ctx'),
      input: {
        trackingNo: c.req.valid('param').trackingNo,
        queryCode: c.req.valid('header')['x-query-code'],
        clientAddress: clientAddress(c),
      },
    })
    c.header('Cache-Control', 'no-store')
    return c.json(view, 200)
  })
}
