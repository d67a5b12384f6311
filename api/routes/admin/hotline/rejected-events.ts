import { createRoute, z } from '@hono/zod-openapi'
import {
  rejectedEventSchema,
  rejectedRetrySchema,
} from '../../../services/admin/hotline/rejected-events.ts'
import {
  listRejectedInConsole,
  rejectedEventParams,
  retryRejectedInConsole,
} from '../../../services/admin/hotline/console.ts'
import type { App } from '../../../env.ts'
import { errorResponses } from '../../shared.ts'
import { serveConsoleRoute } from '../console-route.ts'
import { consoleRequestOf } from '../guard.ts'

const listRoute = createRoute({
  method: 'get',
  path: '/admin/hotline/rejected-events',
  operationId: 'listRejectedHotlineEvents',
  summary: '被拒收的 12345 事件（未通过校验；仅市局管理员）',
  description:
    'Inbound events kept as rejected, the latest first (at most 100): webhook id, when they ' +
    'came, the schema errors and the body, opened and with phone numbers and names masked. ' +
    'Viewing is audited.',
  responses: {
    200: {
      description: 'The rejected events.',
      content: {
        'application/json': { schema: z.object({ items: z.array(rejectedEventSchema) }) },
      },
    },
    ...errorResponses(401, 403),
  },
})

const retryRoute = createRoute({
  method: 'post',
  path: '/admin/hotline/rejected-events/{webhookId}/retry',
  operationId: 'retryRejectedHotlineEvent',
  summary: '重新校验并处理一条被拒收的 12345 事件（仅市局管理员）',
  description:
    'Needs the X-CSRF-Token header. The stored body is checked against the event schema again: ' +
    'if it passes, the event goes to the inbound worker (state pending); if not, 409 with the ' +
    'errors in `details`. Audited either way.',
  request: {
    params: rejectedEventParams,
  },
  responses: {
    200: {
      description: 'Handed to the inbound worker.',
      content: { 'application/json': { schema: rejectedRetrySchema } },
    },
    ...errorResponses(400, 401, 403, 404, 409),
  },
})

export function registerListRejectedEvents(app: App) {
  serveConsoleRoute(app, listRoute, async (c) => {
    const items = await listRejectedInConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: {},
    })
    return c.json({ items }, 200)
  })
}

export function registerRetryRejectedEvent(app: App) {
  serveConsoleRoute(app, retryRoute, async (c) => {
    const done = await retryRejectedInConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: c.req.param(),
    })
    return c.json(done, 200)
  })
}
