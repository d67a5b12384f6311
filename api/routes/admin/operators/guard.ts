import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../../../env.ts'
import { requireOperatorAdmin } from '../../../services/admin/operators/access.ts'
import { operatorOf, requireOperator } from '../guard.ts'

/** A signed-in city administrator: 401 without a session, 403 for any other role. */
export const operatorAdminOnly: MiddlewareHandler<AppEnv>[] = [
  requireOperator(),
  async (c, next) => {
    requireOperatorAdmin(operatorOf(c))
    await next()
  },
]
