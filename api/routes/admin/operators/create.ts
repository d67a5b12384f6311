import { createRoute } from '@hono/zod-openapi'
import { createOperatorVerb } from '../../../services/admin/operators/console.ts'
import {
  newOperatorSchema,
  operatorWithPasswordSchema,
} from '../../../services/admin/operators/schemas.ts'
import type { App } from '../../../env.ts'
import { errorResponses } from '../../shared.ts'
import { jsonBody, serveConsoleRoute } from '../console-route.ts'
import { consoleRequestOf } from '../guard.ts'

const route = createRoute({
  method: 'post',
  path: '/admin/operators',
  operationId: 'createOperator',
  summary: '创建后台账号（仅市局管理员；返回一次性密码，只此一次）',
  description:
    'Needs the X-CSRF-Token header. The one-time password is answered once and stored only as ' +
    'an Argon2id hash; it must be changed at first sign-in. 409 when the username is taken.',
  request: {
    body: {
      content: {
        'application/json': {
          example: { username: 'lidu.handler', role: 'county_handler', county: '331102' },
          schema: newOperatorSchema,
        },
      },
      required: true,
    },
  },
  responses: {
    201: {
      description: 'Created.',
      content: { 'application/json': { schema: operatorWithPasswordSchema } },
    },
    ...errorResponses(400, 401, 403, 409),
  },
})

export function registerOperatorCreate(app: App) {
  serveConsoleRoute(app, route, async (c) => {
    const created = await createOperatorVerb({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: () => jsonBody(c),
    })
    return c.json(created, 201)
  })
}
