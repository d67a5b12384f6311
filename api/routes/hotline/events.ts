import { createRoute, z } from '@hono/zod-openapi'
import {
  hotlineEventLabels,
  hotlineEventSchema,
  type HotlineEventType,
} from '../../services/hotline/events.ts'
import { hotlineEventExamples } from '../../services/hotline/examples.ts'
import {
  receiveHotlineEvent,
  webhookIdCharacters,
  webhookIdMaxLength,
} from '../../services/hotline/inbox.ts'
import type { App } from '../../env.ts'
import { hotlineEventScheme } from '../security.ts'
import { errorResponses, errorSchema } from '../shared.ts'

const receivedSchema = z
  .object({
    received: z.literal(true),
    webhook_id: z.string().openapi({ description: '本次事件的 webhook-id' }),
  })
  .openapi('HotlineEventReceived')

const route = createRoute({
  method: 'post',
  path: '/hotline/12345/events',
  operationId: 'receiveHotlineEvent',
  security: [{ [hotlineEventScheme]: [] }],
  summary: '接收 12345 热线工单事件（Standard Webhooks 签名）',
  description:
    'One JSON event per request, signed per Standard Webhooks over the raw body; each event ' +
    'type, its fields and an example are on the page /developers/12345. The event is stored ' +
    'before the answer and applied by the worker. A ' +
    '`webhook-id` seen before answers as it did the first time and changes nothing. A signed ' +
    'event whose `webhook-id` is over 256 characters or holds other characters than those ' +
    'listed answers 400 and is not stored.',
  request: {
    headers: z.object({
      'webhook-id': z.string().max(webhookIdMaxLength).regex(webhookIdCharacters).openapi({
        description:
          '事件唯一标识，重发时不变；至多 256 个字符，只含英文字母、数字和 _ - : + / =（不含“.”）',
      }),
      'webhook-timestamp': z
        .string()
        .openapi({ description: '签名时间，Unix 秒；与本系统时间相差不得超过 5 分钟' }),
      'webhook-signature': z
        .string()
        .openapi({ description: '以空格分隔的 v1,<base64 HMAC-SHA256> 签名，任一有效即可' }),
    }),
    body: {
      required: true,
      content: {
        'application/json': {
          schema: hotlineEventSchema,
          // One example of each event type, as the vendor page shows them.
          examples: Object.fromEntries(
            Object.entries(hotlineEventExamples).map(([type, value]) => [
              type,
              { summary: hotlineEventLabels[type as HotlineEventType], value },
            ]),
          ),
        },
      },
    },
  },
  responses: {
    202: {
      description: 'Stored; the worker applies it to the case.',
      content: { 'application/json': { schema: receivedSchema } },
    },
    401: {
      description: 'Missing headers, a timestamp more than 5 minutes off or a bad signature.',
      content: { 'application/json': { schema: errorSchema } },
    },
    ...errorResponses(400, 413, 503),
  },
})

export function registerHotlineEvents(app: App) {
  // Documented through the registry and served by a plain handler: the signature covers the raw
  // body, which must be read as text before anything parses it.
  app.openAPIRegistry.registerPath(route)
  app.post(route.path, async (c) => {
    const answer = await receiveHotlineEvent({
      ctx: c.get('ctx'),
      input: {
        headers: {
          id: c.req.header('webhook-id'),
          timestamp: c.req.header('webhook-timestamp'),
          signature: c.req.header('webhook-signature'),
        },
        body: await c.req.text(),
        requestId: c.get('requestId'),
      },
    })
    if (answer.replayed) c.header('Idempotent-Replayed', 'true')
    return c.json(answer.body, answer.status)
  })
}
