import { createRoute, z } from '@hono/zod-openapi'
import {
  createEndpointInConsole,
  notificationsInConsole,
  setEndpointEnabledInConsole,
} from '../../../services/admin/notifications/console.ts'
import {
  endpointEnabledSchema,
  endpointParams,
  endpointViewSchema,
  newEndpointSchema,
  transportStatusSchema,
} from '../../../services/admin/notifications/schemas.ts'
import type { App } from '../../../env.ts'
import { errorResponses } from '../../shared.ts'
import { jsonBody, serveConsoleRoute } from '../console-route.ts'
import { consoleRequestOf } from '../guard.ts'

const listRoute = createRoute({
  method: 'get',
  path: '/admin/notifications',
  operationId: 'listNotifications',
  summary: '通知设置：发送方式的状态和通知接收方（市局管理员、区县承办人）',
  description:
    'Each transport (e-mail over NOTIFY_SMTP_URL, webhooks signed with NOTIFY_WEBHOOK_SECRET): ' +
    'whether it is configured, and how many notices are queued or were given up (dead) for the ' +
    "caller's recipients; unconfigured, notices stay queued and go out once it is set. A county " +
    "handler sees the county's recipients and the city's.",
  responses: {
    200: {
      description: 'The transports and the recipients.',
      content: {
        'application/json': {
          schema: z.object({
            transports: z.array(transportStatusSchema),
            endpoints: z.array(endpointViewSchema),
          }),
        },
      },
    },
    ...errorResponses(401, 403),
  },
})

const createEndpointRoute = createRoute({
  method: 'post',
  path: '/admin/notifications/endpoints',
  operationId: 'createNotificationEndpoint',
  summary: '新增通知接收方（仅市局管理员）',
  description:
    'Needs the X-CSRF-Token header. An e-mail address or a webhook URL (HTTPS in production, ' +
    'unless on loopback) for one county, or for the city (countyCode null: every county). ' +
    '409 when the address is already a recipient for that county. Audited.',
  request: {
    body: {
      content: {
        'application/json': {
          example: {
            countyCode: '331102',
            kind: 'email',
            address: 'lidu-jl@example.gov.cn',
            label: '莲都区局计量科',
          },
          schema: newEndpointSchema,
        },
      },
      required: true,
    },
  },
  responses: {
    201: {
      description: 'Added.',
      content: { 'application/json': { schema: endpointViewSchema } },
    },
    ...errorResponses(400, 401, 403, 409),
  },
})

const enabledRoute = createRoute({
  method: 'post',
  path: '/admin/notifications/endpoints/{id}/enabled',
  operationId: 'setNotificationEndpointEnabled',
  summary: '启用或停用通知接收方（仅市局管理员）',
  description:
    'Needs the X-CSRF-Token header. Turned off, the notices still queued for it are given up ' +
    '(dead, "接收方已停用"). Audited.',
  request: {
    params: endpointParams,
    body: {
      content: {
        'application/json': { example: { enabled: false }, schema: endpointEnabledSchema },
      },
      required: true,
    },
  },
  responses: {
    200: {
      description: 'The recipient as it is now.',
      content: { 'application/json': { schema: endpointViewSchema } },
    },
    ...errorResponses(400, 401, 403, 404),
  },
})

/** Notices to handlers (issue 24): the transports' state and the recipients. */
export function registerNotificationRoutes(app: App) {
  serveConsoleRoute(app, listRoute, async (c) => {
    const done = await notificationsInConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: {},
    })
    return c.json(done, 200)
  })
  serveConsoleRoute(app, createEndpointRoute, async (c) => {
    const created = await createEndpointInConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: () => jsonBody(c),
    })
    return c.json(created, 201)
  })
  serveConsoleRoute(app, enabledRoute, async (c) => {
    const done = await setEndpointEnabledInConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: async () => ({ id: c.req.param('id'), fields: await jsonBody(c) }),
    })
    return c.json(done, 200)
  })
}
