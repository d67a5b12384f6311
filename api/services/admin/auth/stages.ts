import type { Kysely } from 'kysely'
import type { Database, Operator, SessionStage } from '../../../../db/database.ts'
import type { ServiceContext } from '../../../deps.ts'
import { csrfTokenFor, endSession, startSession } from '../sessions.ts'

/** A city_admin must use a second factor, whether enrolled yet or not. */
export const totpMandatory = (operator: Pick<Operator, 'role'>) => operator.role === 'city_admin'

/** The second factor is asked for when mandatory, and for others once they chose to enrol. */
export const totpRequired = (operator: Pick<Operator, 'role' | 'totpEnabledAt'>) =>
  totpMandatory(operator) || operator.totpEnabledAt !== null

/** Where a correct password leads: replace a one-time password first, then the TOTP code. */
export function stageAfterPassword(
  operator: Pick<Operator, 'role' | 'totpEnabledAt' | 'mustChangePassword'>,
): SessionStage {
  if (operator.mustChangePassword) return 'change_password'
  return totpRequired(operator) ? 'totp' : 'active'
}

export interface IssuedSession {
  /** For the cookie; the database keeps only its hash. */
  token: string
  stage: SessionStage
  csrfToken: string
}

/**
 * Ends `previous` (when given) and starts a session with a fresh token: at sign-in and at every
 * step up, so a token seen or planted before is worth nothing afterwards (session fixation).
 */
export async function issueSession(
  ctx: ServiceContext,
  db: Kysely<Database>,
  input: {
    previous?: Buffer | undefined
    operatorId: string
    stage: SessionStage
    clientAddress: string
    userAgent: string
    now: Date
  },
): Promise<IssuedSession> {
  if (input.previous) await endSession(db, input.previous, ctx.sessionCache)
  const { token, tokenHash } = await startSession(db, input)
  return { token, stage: input.stage, csrfToken: csrfTokenFor(ctx.privacy.hashKey, tokenHash) }
}
