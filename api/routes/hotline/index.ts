import type { App } from '../../env.ts'
import { registerHotlineEvents } from './events.ts'

/** The 12345 hotline's side of the integration (DESIGN.md section 5). */
export function registerHotlineRoutes(app: App) {
  registerHotlineEvents(app)
}
