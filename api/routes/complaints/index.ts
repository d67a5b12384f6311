import type { App } from '../../env.ts'
import { registerCreateComplaint } from './create.ts'
import { registerGetComplaint } from './get.ts'

export function registerComplaintRoutes(app: App) {
  registerCreateComplaint(app)
  registerGetComplaint(app)
}
