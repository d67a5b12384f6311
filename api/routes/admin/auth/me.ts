import { createRoute, z } from '@hono/zod-openapi'
import { consoleMe } from '../../../services/admin/auth/console.ts'
import type { App } from '../../../env.ts'
import { errorResponses } from '../../shared.ts'
import { serveConsoleRoute } from '../console-route.ts'
import { consoleRequestOf } from '../guard.ts'
import { issuedSessionSchema, operatorSchema } from './schemas.ts'

const route = createRoute({
  method: 'get',
  path: '/admin/auth/me',
  operationId: 'getCurrentOperator',
  summary: '当前登录的后台用户、登录进度和 CSRF 令牌',
  responses: {
    200: {
      description: 'The session’s operator and stage.',
      content: {
        'application/json': {
          schema: issuedSessionSchema
            .extend({ operator: operatorSchema, totpEnabled: z.boolean() })
            .openapi('ConsoleMe'),
        },
      },
    },
    ...errorResponses(401),
  },
})

export function registerMe(app: App) {
  serveConsoleRoute(app, route, async (c) => {
    const session = await consoleMe({ ctx: c.get('ctx'), request: consoleRequestOf(c) })
    const { username, role, countyCode } = session.operator
    return c.json(
      {
        stage: session.stage,
        csrfToken: session.csrfToken,
        operator: { username, role, countyCode },
        totpEnabled: session.totpEnabled,
      },
      200,
    )
  })
}
