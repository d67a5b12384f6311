import {
  acceptTotpStep,
  clearFailedSignIns,
  findOperatorById,
} from '../../../../db/queries/operators.ts'
import type { SessionStage } from '../../../../db/database.ts'
import type { ServiceContext } from '../../../deps.ts'
import { ApiError } from '../../../errors.ts'
import { recordAudit } from '../audit.ts'
import { endSession, type ConsoleSession } from '../sessions.ts'
import { issueSession, type IssuedSession } from './stages.ts'
import { confirmCurrentPassword } from './confirm-password.ts'
import { attemptFailed, attemptSucceeded, countTotpAttempt, totpRefusal } from './throttle.ts'
import { matchingTotpStep } from './totp.ts'
import { openTotpSecret } from './totp-enrolment.ts'

export interface TotpCodeInput {
  session: ConsoleSession
  code: string
  /** Asked when the code enables TOTP (enrolment); not when it finishes a sign-in. */
  currentPassword?: string | undefined
  clientAddress: string
  userAgent: string
  now?: Date
}

/** A fresh session when the code finished signing in; only the stage when it enrolled an app. */
export type TotpCodeResult = IssuedSession | { stage: SessionStage; token?: undefined }

const codeError = (message: string) =>
  new ApiError('VALIDATION_FAILED', message, [{ field: 'code', message }])

/**
 * Checks a TOTP code: to finish signing in (stage `totp`), and, the first time, to prove that an
 * app holds the enrolled secret, which turns TOTP on. Turning it on asks for the current password
 * too (a session alone must not be enough to bind someone's phone to the account). A code is good
 * once: its time step must be later than the last one used. Each code is counted before it is
 * checked, and wrong ones are limited (throttle.ts).
 */
export async function submitTotpCode({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: TotpCodeInput
}): Promise<TotpCodeResult> {
  const now = input.now ?? new Date()
  const { session } = input
  const signingIn = session.stage === 'totp'
  const operator = await findOperatorById(ctx.db, session.operator.id)
  if (!operator) throw new ApiError('UNAUTHORIZED', '登录已失效，请重新登录后台。')
  if (!signingIn && operator.totpEnabledAt) {
    throw new ApiError('CONFLICT', '动态验证码已经启用，无需再次验证。')
  }
  const secret = openTotpSecret(ctx.privacy.ring, operator)
  if (!secret) {
    throw new ApiError(
      'BAD_REQUEST',
      '还没有生成绑定密钥：请先打开“动态验证码”页面，按提示添加到验证器 App。',
    )
  }
  const code = input.code.replace(/\s/g, '')
  if (!/^\d{6}$/.test(code)) throw codeError('请输入验证器 App 上当前显示的 6 位数字。')
  const enrolling = operator.totpEnabledAt === null
  if (enrolling) {
    await confirmCurrentPassword(ctx, {
      operator,
      password: input.currentPassword ?? '',
      clientAddress: input.clientAddress,
      now,
      session,
      wrongMessage: '当前密码不正确：启用动态验证码前，请输入您登录用的密码。',
    })
  }
  const attempt = await countTotpAttempt(ctx, {
    operatorId: operator.id,
    clientAddress: input.clientAddress,
    now,
  })
  const refusal = totpRefusal(attempt)
  if (refusal) {
    if (signingIn) await endSession(ctx.db, session.tokenHash, ctx.sessionCache)
    throw refusal
  }

  const step = matchingTotpStep(secret, code, now)
  if (step === null) {
    const failure = await attemptFailed(ctx, attempt, {
      operator,
      username: operator.username,
      reason: 'totp',
      clientAddress: input.clientAddress,
    })
    if (failure) {
      if (signingIn) await endSession(ctx.db, session.tokenHash, ctx.sessionCache)
      throw failure
    }
    throw codeError(
      '验证码不正确，请输入验证器 App 上当前显示的 6 位数字；如一直不对，请检查手机时间是否准确。',
    )
  }
  // Accepting the step (which turns TOTP on at enrolment) and its audit entry go together.
  const accepted = await ctx.db.transaction().execute(async (trx) => {
    if (!(await acceptTotpStep(trx, operator.id, step, now))) return false
    await clearFailedSignIns(trx, operator.id)
    if (!operator.totpEnabledAt) {
      await recordAudit(trx, {
        operator,
        action: 'auth.totp_enabled',
        clientAddress: input.clientAddress,
      })
    }
    return true
  })
  if (!accepted) {
    await recordAudit(ctx.db, {
      operator,
      action: 'auth.sign_in_failed',
      clientAddress: input.clientAddress,
      detail: { reason: 'totp_replayed' },
    })
    throw codeError('这个验证码已经用过，请等验证器 App 显示下一个验证码（每 30 秒更新）后再输入。')
  }
  // A replayed code stays counted: only a code accepted gives its attempt back.
  await attemptSucceeded(ctx, attempt)
  if (!signingIn) return { stage: session.stage }
  return ctx.db.transaction().execute(async (trx) => {
    const issued = await issueSession(ctx, trx, {
      previous: session.tokenHash,
      operatorId: operator.id,
      stage: 'active',
      clientAddress: input.clientAddress,
      userAgent: input.userAgent,
      now,
    })
    await recordAudit(trx, {
      operator,
      action: 'auth.sign_in',
      clientAddress: input.clientAddress,
      detail: { step: 'totp', next: 'active' },
    })
    return issued
  })
}
