import type { App } from '../../../env.ts'
import { registerListDeadCallbacks, registerRetryDeadCallback } from './callbacks.ts'
import { registerListRejectedEvents, registerRetryRejectedEvent } from './rejected-events.ts'

/** The 12345 hotline's failures (city_admin only): dead callbacks and refused inbound events. */
export function registerHotlineAdminRoutes(app: App) {
  registerListDeadCallbacks(app)
  registerRetryDeadCallback(app)
  registerListRejectedEvents(app)
  registerRetryRejectedEvent(app)
}
