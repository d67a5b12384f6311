import type { App } from '../../env.ts'
import { registerAuthRoutes } from './auth/index.ts'
import { registerCaseRoutes } from './cases/index.ts'
import { registerConsoleEnterpriseRoutes } from './enterprises/index.ts'
import { consoleNoStore } from './guard.ts'
import { registerHotlineAdminRoutes } from './hotline/index.ts'
import { registerOperatorRoutes } from './operators/index.ts'

/**
 * The case-handling console's API (/api/admin/*). Every response is `no-store`; each route
 * module installs `requireOperator` itself, so sign-in stays reachable.
 */
export function registerAdminRoutes(app: App) {
  app.use('/admin/*', consoleNoStore)
  registerAuthRoutes(app)
  registerCaseRoutes(app)
  registerConsoleEnterpriseRoutes(app)
  registerOperatorRoutes(app)
  registerHotlineAdminRoutes(app)
}
