import {
  clearFailedSignIns,
  findOperatorById,
  updatePasswordHash,
} from '../../../../db/queries/operators.ts'
import type { ServiceContext } from '../../../deps.ts'
import { ApiError } from '../../../errors.ts'
import { recordAudit } from '../audit.ts'
import { endSessionsOf, type ConsoleSession } from '../sessions.ts'
import { confirmCurrentPassword } from './confirm-password.ts'
import { hashPassword } from './password-hash.ts'
import { newPasswordProblems } from './password-policy.ts'
import { issueSession, totpRequired, type IssuedSession } from './stages.ts'

export interface ChangePasswordInput {
  session: ConsoleSession
  currentPassword: string
  newPassword: string
  clientAddress: string
  userAgent: string
  now?: Date
}

const fieldError = (field: 'currentPassword' | 'newPassword', messages: string[]) =>
  new ApiError(
    'VALIDATION_FAILED',
    messages.join(''),
    messages.map((message) => ({ field, message })),
  )

/**
 * Replaces the operator's password (the one-time one at first sign-in, or any later). The current
 * password is asked again (confirm-password.ts), so a session left open cannot be used to take
 * the account over; a wrong one counts as a failed sign-in. Every session of the operator ends, this one included,
 * and a new one is started: whoever knew the old password or held an old cookie is out.
 */
export async function changePassword({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: ChangePasswordInput
}): Promise<IssuedSession> {
  const now = input.now ?? new Date()
  const { session } = input
  const operator = await findOperatorById(ctx.db, session.operator.id)
  if (!operator) throw new ApiError('UNAUTHORIZED', '登录已失效，请重新登录后台。')
  await confirmCurrentPassword(ctx, {
    operator,
    password: input.currentPassword,
    clientAddress: input.clientAddress,
    now,
    session,
    wrongMessage: '当前密码不正确，请重新输入（首次登录请输入收到的一次性密码）。',
  })
  const problems = newPasswordProblems({
    username: operator.username,
    newPassword: input.newPassword,
    currentPassword: input.currentPassword,
  })
  if (problems.length > 0) throw fieldError('newPassword', problems)

  const passwordHash = await hashPassword(input.newPassword)
  const stage =
    session.stage === 'change_password'
      ? totpRequired(operator)
        ? 'totp'
        : 'active'
      : session.stage
  return ctx.db.transaction().execute(async (trx) => {
    await updatePasswordHash(trx, operator.id, passwordHash, { changedByOperator: true })
    await clearFailedSignIns(trx, operator.id)
    await endSessionsOf(trx, operator.id, ctx.sessionCache)
    const issued = await issueSession(ctx, trx, {
      operatorId: operator.id,
      stage,
      clientAddress: input.clientAddress,
      userAgent: input.userAgent,
      now,
    })
    await recordAudit(trx, {
      operator,
      action: 'auth.password_changed',
      clientAddress: input.clientAddress,
      detail: { firstSignIn: session.stage === 'change_password', next: stage },
    })
    return issued
  })
}
