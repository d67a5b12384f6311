import { createRoute, z } from '@hono/zod-openapi'
import { deadCallbackSchema } from '../../../services/admin/hotline/dead-callbacks.ts'
import {
  callbackParams,
  listDeadCallbacksInConsole,
  retryDeadCallbackInConsole,
} from '../../../services/admin/hotline/console.ts'
import type { App } from '../../../env.ts'
import { errorResponses } from '../../shared.ts'
import { serveConsoleRoute } from '../console-route.ts'
import { consoleRequestOf } from '../guard.ts'

const listRoute = createRoute({
  method: 'get',
  path: '/admin/hotline/callbacks/dead',
  operationId: 'listDeadHotlineCallbacks',
  summary: '发送失败、已停止重试的 12345 回调（仅市局管理员）',
  description:
    'Callbacks to HOTLINE_CALLBACK_URL that failed all ten tries of the Standard Webhooks ' +
    'schedule, the latest first (at most 200). Later callbacks of the same ticket wait behind ' +
    'each of them. Viewing is audited.',
  responses: {
    200: {
      description: 'The dead callbacks.',
      content: {
        'application/json': { schema: z.object({ items: z.array(deadCallbackSchema) }) },
      },
    },
    ...errorResponses(401, 403),
  },
})

const retryRoute = createRoute({
  method: 'post',
  path: '/admin/hotline/callbacks/{id}/retry',
  operationId: 'retryHotlineCallback',
  summary: '重试一条发送失败的 12345 回调（仅市局管理员）',
  description:
    'Needs the X-CSRF-Token header. The callback is pending again, due at once, with a fresh ' +
    'schedule of ten tries and the same webhook-id; the ones of its ticket waiting behind it ' +
    'follow once it is delivered. 409 when it is not dead. Audited.',
  request: {
    params: callbackParams,
  },
  responses: {
    200: {
      description: 'Queued again.',
      content: {
        'application/json': {
          schema: z.object({ id: z.string(), state: z.literal('pending') }),
        },
      },
    },
    ...errorResponses(400, 401, 403, 404, 409),
  },
})

export function registerListDeadCallbacks(app: App) {
  serveConsoleRoute(app, listRoute, async (c) => {
    const items = await listDeadCallbacksInConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: {},
    })
    return c.json({ items }, 200)
  })
}

export function registerRetryDeadCallback(app: App) {
  serveConsoleRoute(app, retryRoute, async (c) => {
    const done = await retryDeadCallbackInConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: c.req.param(),
    })
    return c.json(done, 200)
  })
}
