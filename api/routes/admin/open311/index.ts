import { createRoute, z } from '@hono/zod-openapi'
import {
  createOpen311ClientInConsole,
  open311ClientsInConsole,
  revokeOpen311KeyInConsole,
} from '../../../services/admin/open311/console.ts'
import {
  createdOpen311ClientSchema,
  newOpen311ClientSchema,
  open311ClientParams,
  open311ClientViewSchema,
} from '../../../services/admin/open311/schemas.ts'
import type { App } from '../../../env.ts'
import { errorResponses } from '../../shared.ts'
import { jsonBody, serveConsoleRoute } from '../console-route.ts'
import { consoleRequestOf } from '../guard.ts'

const listRoute = createRoute({
  method: 'get',
  path: '/admin/open311/clients',
  operationId: 'listOpen311Clients',
  summary: 'Open311 接入应用及其密钥状态（仅市局管理员）',
  responses: {
    200: {
      description: 'Every registered app, newest first.',
      content: { 'application/json': { schema: z.array(open311ClientViewSchema) } },
    },
    ...errorResponses(401, 403),
  },
})

const createClientRoute = createRoute({
  method: 'post',
  path: '/admin/open311/clients',
  operationId: 'createOpen311Client',
  summary: '登记 Open311 接入应用并生成密钥（仅市局管理员；密钥只显示一次）',
  description:
    'Needs the X-CSRF-Token header. Answers the key once: only its keyed hash and its first ' +
    'characters are stored. Audited (without the key).',
  request: {
    body: {
      content: {
        'application/json': {
          example: { name: '浙里办·丽水计量', contact: '市大数据局 张工 0578-2123456' },
          schema: newOpen311ClientSchema,
        },
      },
      required: true,
    },
  },
  responses: {
    201: {
      description: 'Registered; `apiKey` is shown this once.',
      content: { 'application/json': { schema: createdOpen311ClientSchema } },
    },
    ...errorResponses(400, 401, 403),
  },
})

const revokeRoute = createRoute({
  method: 'post',
  path: '/admin/open311/clients/{id}/revoke',
  operationId: 'revokeOpen311Key',
  summary: '注销 Open311 接入应用的密钥（仅市局管理员；立即生效，不可恢复）',
  description:
    'Needs the X-CSRF-Token header. The key is refused from its next call; the requests it ' +
    'filed stay. 404 for an unknown app or a key already revoked. Audited.',
  request: { params: open311ClientParams },
  responses: {
    200: {
      description: 'The app with its key revoked.',
      content: { 'application/json': { schema: open311ClientViewSchema } },
    },
    ...errorResponses(401, 403, 404),
  },
})

/** Open311 apps and their keys (issue 27): registered and revoked by the city bureau. */
export function registerOpen311AdminRoutes(app: App) {
  serveConsoleRoute(app, listRoute, async (c) => {
    const clients = await open311ClientsInConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: {},
    })
    return c.json(clients, 200)
  })
  serveConsoleRoute(app, createClientRoute, async (c) => {
    const created = await createOpen311ClientInConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: () => jsonBody(c),
    })
    return c.json(created, 201)
  })
  serveConsoleRoute(app, revokeRoute, async (c) => {
    const revoked = await revokeOpen311KeyInConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: { id: c.req.param('id') },
    })
    return c.json(revoked, 200)
  })
}
