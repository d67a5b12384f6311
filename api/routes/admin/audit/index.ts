import type { App } from '../../../env.ts'
import { registerSearchAudit } from './search.ts'

export function registerAuditRoutes(app: App) {
  registerSearchAudit(app)
}
