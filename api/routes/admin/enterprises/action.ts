import { createRoute } from '@hono/zod-openapi'
import { changeEnterprise, invalidChange } from '../../../services/admin/enterprises/change.ts'
import { getConsoleEnterprise } from '../../../services/admin/enterprises/get.ts'
import {
  consoleEnterpriseSchema,
  enterpriseChangeSchema,
} from '../../../services/admin/enterprises/schemas.ts'
import type { App } from '../../../env.ts'
import { clientAddress } from '../../client-address.ts'
import { validationHook } from '../../../validation.ts'
import { errorResponses } from '../../shared.ts'
import { operatorOf } from '../guard.ts'
import { cityAdminOnly } from './guard.ts'
import { usccParams } from './params.ts'

const route = createRoute({
  method: 'post',
  path: '/admin/enterprises/{uscc}/actions',
  summary: '后台：暂停、恢复、撤销、续期或修改诚信计量单位（须填写原因）',
  description:
    'Needs the X-CSRF-Token header. Recorded in the certification history and the audit log, ' +
    'then published: the search index through the outbox, the static pages by a site rebuild. ' +
    '409 CONFLICT when `version` is stale (details.reason = "stale") or the action is not ' +
    'allowed from the current status (details.reason = "transition").',
  middleware: cityAdminOnly,
  request: {
    params: usccParams,
    body: { content: { 'application/json': { schema: enterpriseChangeSchema } }, required: true },
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
  app.openapi(
    route,
    async (c) => {
      const ctx = c.get('ctx')
      const operator = operatorOf(c)
      const { uscc } = c.req.valid('param')
      await changeEnterprise({
        ctx,
        input: { operator, uscc, fields: c.req.valid('json'), clientAddress: clientAddress(c) },
      })
      return c.json(await getConsoleEnterprise({ ctx, input: { operator, uscc } }), 200)
    },
    (result, c) => {
      // The fields' own messages say how to fix them (a missing reason most often).
      if (!result.success && result.target === 'json') throw invalidChange(result.error)
      validationHook(result, c)
    },
  )
}
