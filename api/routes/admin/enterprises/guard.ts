import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../../../env.ts'
import { requireCityAdmin } from '../../../services/admin/enterprises/access.ts'
import { operatorOf, requireOperator } from '../guard.ts'

/** A signed-in city administrator: 401 without a session, 403 for any other role. */
export const cityAdminOnly: MiddlewareHandler<AppEnv>[] = [
  requireOperator(),
  async (c, next) => {
    requireCityAdmin(operatorOf(c))
    await next()
  },
]
