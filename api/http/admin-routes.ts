import type { App } from '../env.ts'
import { registerAuthRoutes } from '../routes/admin/auth/index.ts'
import { registerCampaignRoutes } from '../routes/admin/campaigns/index.ts'
import { registerCaseRoutes } from '../routes/admin/cases/index.ts'
import { registerConsoleEnterpriseRoutes } from '../routes/admin/enterprises/index.ts'
import { consoleNoStore } from '../routes/admin/guard.ts'
import { registerHotlineAdminRoutes } from '../routes/admin/hotline/index.ts'
import { registerNotificationRoutes } from '../routes/admin/notifications/index.ts'
import { registerOpen311AdminRoutes } from '../routes/admin/open311/index.ts'
import { registerOperatorRoutes } from '../routes/admin/operators/index.ts'
import { registerVisitRoutes } from '../routes/admin/visits/index.ts'
import { registerRecordRoutes } from '../routes/admin/records/index.ts'
import { registerPenaltyRoutes } from '../routes/admin/penalties/index.ts'
import { registerWarningRoutes } from '../routes/admin/warnings/index.ts'
import { registerRewardRoutes } from '../routes/admin/rewards/index.ts'

/**
 * The case-handling console's API (/api/admin/*). Every response is `no-store`; each route
 * calls a console verb, which checks the session itself, so sign-in stays reachable.
 */
export function registerAdminRoutes(app: App) {
  app.use('/admin/*', consoleNoStore)
  registerAuthRoutes(app)
  registerCaseRoutes(app)
  registerConsoleEnterpriseRoutes(app)
  registerOperatorRoutes(app)
  registerHotlineAdminRoutes(app)
  registerVisitRoutes(app)
  registerRecordRoutes(app)
  registerCampaignRoutes(app)
  registerPenaltyRoutes(app)
  registerNotificationRoutes(app)
  registerWarningRoutes(app)
  registerRewardRoutes(app)
  registerOpen311AdminRoutes(app)
}
