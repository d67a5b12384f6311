import { createRoute, z } from '@hono/zod-openapi'
import {
  redeemQueryCodeRecovery,
  requestQueryCodeRecovery,
} from '../../services/complaints/recovery.ts'
import type { App } from '../../env.ts'
import { clientAddress } from '../client-address.ts'
import { errorResponses } from '../shared.ts'
import { trackedSchema } from './get.ts'

const requestRoute = createRoute({
  method: 'post',
  path: '/complaints/query-code/recovery',
  operationId: 'requestQueryCodeRecovery',
  security: [],
  summary: '找回查询码：用受理编号和提交时留下的手机号获取短信验证码',
  description:
    'The answer is the same whether or not the phone matches the case. Limits: 3 requests an ' +
    'hour per tracking number and per phone, 10 per client address.',
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          example: { trackingNo: 'JL20261206-4827-3915', phone: '13800001234' },
          schema: z.object({
            trackingNo: z.string('请填写受理编号').max(40, '受理编号有误'),
            phone: z.string('请填写手机号').max(40, '手机号有误'),
          }),
        },
      },
    },
  },
  responses: {
    202: {
      description: 'Accepted: a code is sent if the phone matches the case.',
      content: { 'application/json': { schema: z.object({ message: z.string() }) } },
    },
    ...errorResponses(400, 429),
  },
})

const redeemRoute = createRoute({
  method: 'post',
  path: '/complaints/query-code/recovery/redeem',
  operationId: 'redeemQueryCodeRecovery',
  security: [],
  summary: '找回查询码：输入短信验证码，查看办理进度并获得新的查询码（原查询码失效）',
  description:
    'Six digits, valid five minutes. Three wrong codes for a tracking number lock it for half ' +
    'an hour.',
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          example: { trackingNo: 'JL20261206-4827-3915', code: '482913' },
          schema: z.object({
            trackingNo: z.string('请填写受理编号').max(40, '受理编号有误'),
            code: z.string('请填写验证码').max(20, '验证码有误'),
          }),
        },
      },
    },
  },
  responses: {
    200: {
      description: 'The case, and its new query code (shown this once).',
      content: {
        'application/json': {
          schema: z
            .object({ queryCode: z.string(), complaint: trackedSchema })
            .openapi('RecoveredComplaint'),
        },
      },
    },
    ...errorResponses(400, 404, 429),
  },
})

export function registerQueryCodeRecovery(app: App) {
  app.openapi(requestRoute, async (c) => {
    const { trackingNo, phone } = c.req.valid('json')
    const answer = await requestQueryCodeRecovery({
      ctx: c.get('ctx'),
      input: { trackingNo, phone, clientAddress: clientAddress(c) },
    })
    c.header('Cache-Control', 'no-store')
    return c.json(answer, 202)
  })

  app.openapi(redeemRoute, async (c) => {
    const { trackingNo, code } = c.req.valid('json')
    const recovered = await redeemQueryCodeRecovery({
      ctx: c.get('ctx'),
      input: { trackingNo, code, clientAddress: clientAddress(c) },
    })
    c.header('Cache-Control', 'no-store')
    return c.json({ queryCode: recovered.queryCode, complaint: recovered.view }, 200)
  })
}
