import type { App } from '../../../env.ts'
import { registerAuditRoutes } from '../audit/index.ts'
import { registerMe } from './me.ts'
import { registerChangePassword } from './password.ts'
import { registerSignIn } from './sign-in.ts'
import { registerSignOut } from './sign-out.ts'
import { registerTotp } from './totp.ts'

/** Console sign-in, password, TOTP, sign-out, and the audit log that records them (issue 4). */
export function registerAuthRoutes(app: App) {
  registerSignIn(app)
  registerChangePassword(app)
  registerTotp(app)
  registerSignOut(app)
  registerMe(app)
  registerAuditRoutes(app)
}
