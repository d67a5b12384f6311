import { createRoute } from '@hono/zod-openapi'
import { changeEnterpriseInConsole } from '../../../services/admin/enterprises/console.ts'
import { usccParams } from '../../../services/admin/enterprises/params.ts'
import {
  consoleEnterpriseSchema,
  enterpriseChangeSchema,
} from '../../../services/admin/enterprises/schemas.ts'
import type { App } from '../../../env.ts'
import { errorResponses } from '../../shared.ts'
import { jsonBody, serveConsoleRoute } from '../console-route.ts'
import { consoleRequestOf } from '../guard.ts'

const route = createRoute({
  method: 'post',
  path: '/admin/enterprises/{uscc}/actions',
  operationId: 'actOnEnterprise',
  summary: '后台：暂停、恢复、撤销、续期或修改诚信计量单位（须填写原因）',
  description:
    'Needs the X-CSRF-Token header. Recorded in the certification history and the audit log, ' +
    'then published: the search index through the outbox, the static pages by a site rebuild. ' +
    '409 CONFLICT when `version` is stale (details.reason = "stale") or the action is not ' +
    'allowed from the current status (details.reason = "transition").',
  request: {
    params: usccParams,
    body: {
      content: {
        'application/json': {
          example: {
            action: 'suspend',
            reason: '专项检查发现加油机计量作弊，暂停认定待查处。',
            version: '2026-11-26T09:30:00.000Z',
          },
          schema: enterpriseChangeSchema,
        },
      },
      required: true,
    },
  },
  responses: {
    200: {
      description: 'Changed: the business as it is now.',
      content: { 'application/json': { schema: consoleEnterpriseSchema } },
    },
    ...errorResponses(400, 401, 403, 404, 409),
  },
})

export function registerConsoleEnterpriseAction(app: App) {
  serveConsoleRoute(app, route, async (c) => {
    const enterprise = await changeEnterpriseInConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: async () => ({ uscc: c.req.param('uscc'), fields: await jsonBody(c) }),
    })
    return c.json(enterprise, 200)
  })
}
