import type { OperatorRole, SessionStage } from '../db/database.ts'

// Who is signed in to the console: the types the Hono env (env.ts) and the console's services
// share. They sit here, below the services, so that env.ts need not import a service.

/** The operator behind a signed-in console session. */
export interface SignedInOperator {
  id: string
  username: string
  role: OperatorRole
  /** The county whose cases the operator works; null for city level (every county). */
  countyCode: string | null
}

export interface ConsoleSession {
  operator: SignedInOperator
  stage: SessionStage
  /** The token's hash: the session's id in the database. */
  tokenHash: Buffer
  /** What a state-changing request must send back (form field `csrf` or header X-CSRF-Token). */
  csrfToken: string
  /** Set when the operator must replace a one-time password before anything else. */
  mustChangePassword: boolean
  totpEnabled: boolean
}
