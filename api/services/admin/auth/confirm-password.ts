import type { Operator } from '../../../../db/database.ts'
import type { ServiceContext } from '../../../deps.ts'
import { ApiError } from '../../../errors.ts'
import { endSession } from '../sessions.ts'
import { verifyPassword } from './password-hash.ts'
import {
  attemptFailed,
  attemptSucceeded,
  countPasswordAttempt,
  passwordRefusal,
} from './throttle.ts'

/** The form field a password asked again is read from, in every console form and API body. */
const currentPasswordField = 'currentPassword'

const currentPasswordError = (message: string) =>
  new ApiError('VALIDATION_FAILED', message, [{ field: currentPasswordField, message }])

/**
 * Asks a signed-in operator's password again before a change that would take the account over
 * (a new password, a second factor enabled or reset), so a session left open or stolen is not
 * enough. The attempt is counted before the check and limited like a sign-in; a wrong password
 * is a failure like the others. When a failure uses the last allowance, the session it came from
 * ends: whoever holds it cannot keep guessing.
 */
export async function confirmCurrentPassword(
  ctx: ServiceContext,
  input: {
    operator: Operator
    password: string
    clientAddress: string
    now: Date
    /** The session asking, ended when a failure uses the last allowance. */
    session: { tokenHash: Buffer }
    /** The Chinese answer to a wrong password, saying what to enter. */
    wrongMessage: string
  },
): Promise<void> {
  const { operator } = input
  if (input.password === '') throw currentPasswordError('请输入当前密码，确认是您本人在操作。')
  const attempt = await countPasswordAttempt(ctx, {
    username: operator.username,
    clientAddress: input.clientAddress,
    now: input.now,
  })
  const refusal = passwordRefusal(attempt, operator)
  if (refusal) throw refusal
  if (!(await verifyPassword(operator.passwordHash, input.password))) {
    const failure = await attemptFailed(ctx, attempt, {
      operator,
      username: operator.username,
      reason: 'current_password',
      clientAddress: input.clientAddress,
    })
    if (failure) {
      await endSession(ctx.db, input.session.tokenHash, ctx.sessionCache)
      throw failure
    }
    throw currentPasswordError(input.wrongMessage)
  }
  await attemptSucceeded(ctx, attempt)
}
