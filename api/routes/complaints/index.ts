import type { App } from '../../env.ts'
import { registerCreateComplaint } from './create.ts'
import { registerGetComplaint } from './get.ts'
import { registerQueryCodeRecovery } from './recovery.ts'
import { registerComplaintFeedback } from './feedback.ts'
import { registerOpenCases } from './open-cases.ts'
import { registerRewardClaim } from './reward.ts'

export function registerComplaintRoutes(app: App) {
  registerCreateComplaint(app)
  // Before /complaints/{trackingNo}, which its path would otherwise match.
  registerOpenCases(app)
  registerGetComplaint(app)
  registerQueryCodeRecovery(app)
  registerComplaintFeedback(app)
  registerRewardClaim(app)
}
