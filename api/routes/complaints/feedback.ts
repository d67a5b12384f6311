import { createRoute, z } from '@hono/zod-openapi'
import { rateComplaint, requestReview } from '../../services/complaints/rating.ts'
import type { App } from '../../env.ts'
import { clientAddress } from '../client-address.ts'
import { errorResponses } from '../shared.ts'
import { trackedSchema } from './get.ts'

const resident = {
  trackingNo: z.string('请填写受理编号').max(40, '受理编号有误'),
  queryCode: z.string('请填写查询码').max(40, '查询码有误'),
}

const rateRoute = createRoute({
  method: 'post',
  path: '/complaints/rating',
  operationId: 'rateComplaintOutcome',
  security: [],
  summary: '评价办理结果（满意 / 基本满意 / 不满意，每件一次；不满意可同时申请复核）',
  description:
    'For a web case that is handled (resolved or closed). `rating`: satisfied, ' +
    'basically_satisfied or unsatisfied; `comment` up to 500 characters (personal data, shown ' +
    'to the handlers only); `requestReview` with unsatisfied, within 15 days of the outcome.',
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          example: {
            trackingNo: 'JL20261206-4827-3915',
            queryCode: 'K7QM-3XPA',
            rating: 'unsatisfied',
            comment: '差价至今没有退还。',
            requestReview: true,
          },
          schema: z.object({
            ...resident,
            rating: z.string('请选择评价').max(40),
            comment: z.string().max(2000).optional(),
            requestReview: z.boolean().optional(),
          }),
        },
      },
    },
  },
  responses: {
    200: {
      description: 'Rated: the case as its resident sees it.',
      content: { 'application/json': { schema: trackedSchema } },
    },
    ...errorResponses(400, 404, 409, 429),
  },
})

const reviewRoute = createRoute({
  method: 'post',
  path: '/complaints/review',
  operationId: 'requestComplaintReview',
  security: [],
  summary: '申请复核（评价为不满意的，办结后 15 天内，每件一次）',
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          example: { trackingNo: 'JL20261206-4827-3915', queryCode: 'K7QM-3XPA' },
          schema: z.object(resident),
        },
      },
    },
  },
  responses: {
    200: {
      description: 'The case is back in the queue as 复核中, with its own deadline.',
      content: { 'application/json': { schema: trackedSchema } },
    },
    ...errorResponses(400, 404, 409, 429),
  },
})

export function registerComplaintFeedback(app: App) {
  app.openapi(rateRoute, async (c) => {
    const body = c.req.valid('json')
    const view = await rateComplaint({
      ctx: c.get('ctx'),
      input: {
        trackingNo: body.trackingNo,
        queryCode: body.queryCode,
        rating: body.rating,
        ...(body.comment === undefined ? {} : { comment: body.comment }),
        ...(body.requestReview === undefined ? {} : { requestReview: body.requestReview }),
        clientAddress: clientAddress(c),
      },
    })
    c.header('Cache-Control', 'no-store')
    return c.json(view, 200)
  })

  app.openapi(reviewRoute, async (c) => {
    const body = c.req.valid('json')
    const view = await requestReview({
      ctx: c.get('ctx'),
      input: { ...body, clientAddress: clientAddress(c) },
    })
    c.header('Cache-Control', 'no-store')
    return c.json(view, 200)
  })
}
