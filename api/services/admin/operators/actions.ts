import {
  changeOperator,
  findOperatorById,
  findOperatorForUpdate,
  type OperatorChange,
} from '../../../../db/queries/operators.ts'
import type { ServiceContext } from '../../../deps.ts'
import { ApiError } from '../../../errors.ts'
import type { SignedInOperator } from '../access.ts'
import { recordAudit } from '../audit.ts'
import { hashPassword } from '../auth/password-hash.ts'
import { newOneTimePassword } from '../auth/password-policy.ts'
import { clearAccountLimits } from '../auth/throttle.ts'
import { confirmCurrentPassword } from '../auth/confirm-password.ts'
import { endSessionsOf } from '../sessions.ts'
import { getOperator, isOperatorId, operatorNotFound } from './list.ts'
import type { OperatorAction, OperatorView } from './schemas.ts'
import { pointlessBecause, refusedOnSelf } from './view.ts'

/**
 * After these, whoever holds the account's sessions must sign in again: a new password, a
 * disabled account, a second factor to enrol again (a lost phone may be in someone else's hand).
 */
const endsSessions: ReadonlySet<OperatorAction> = new Set([
  'reset_password',
  'disable',
  'reset_totp',
])

/**
 * One account action by a city_admin, recorded in the audit log (the account's name, never a
 * password). A password reset returns the new one-time password, this once. Resetting a second
 * factor asks for the administrator's own password first.
 */
export async function actOnOperator({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: {
    operator: SignedInOperator
    id: string
    action: OperatorAction
    /** The administrator's own password, asked again for reset_totp. */
    currentPassword?: string | undefined
    /** The administrator's session, ended if their password is guessed at too often. */
    session: { tokenHash: Buffer }
    clientAddress: string
    now?: Date
  }
}): Promise<{ operator: OperatorView; oneTimePassword?: string }> {
  const { operator: by, id, action } = input
  if (!isOperatorId(id)) throw operatorNotFound()
  const selfRefusal = refusedOnSelf[action]
  if (id === by.id && selfRefusal) throw new ApiError('FORBIDDEN', selfRefusal)
  const now = input.now ?? new Date()
  if (action === 'reset_totp') {
    // Changing someone's second factor lets a new phone in: an open session alone must not do it.
    const self = await findOperatorById(ctx.db, by.id)
    if (!self) throw new ApiError('UNAUTHORIZED', '登录已失效，请重新登录后台。')
    await confirmCurrentPassword(ctx, {
      operator: self,
      password: input.currentPassword ?? '',
      clientAddress: input.clientAddress,
      now,
      session: input.session,
      wrongMessage: '您的当前密码不正确：重置他人的动态验证码前，请输入您自己登录用的密码。',
    })
  }
  // Hashed before the row is locked: Argon2id takes a while on purpose.
  const oneTimePassword = action === 'reset_password' ? newOneTimePassword() : undefined
  const change: OperatorChange =
    action === 'reset_password'
      ? { kind: action, passwordHash: await hashPassword(oneTimePassword!) }
      : action === 'disable'
        ? { kind: action, at: now }
        : { kind: action }

  const target = await ctx.db.transaction().execute(async (trx) => {
    const target = await findOperatorForUpdate(trx, id)
    if (!target) throw operatorNotFound()
    const pointless = pointlessBecause(action, target, now)
    if (pointless) throw new ApiError('CONFLICT', pointless)
    await changeOperator(trx, id, change)
    if (endsSessions.has(action)) await endSessionsOf(trx, id, ctx.sessionCache)
    await recordAudit(trx, {
      operator: by,
      action: `operator.${action}`,
      clientAddress: input.clientAddress,
      detail: { operatorId: id, username: target.username, role: target.role },
    })
    return target
  })
  // An unlock (or a new password) lets the account's right password be checked at once, from
  // every address, whatever failures were counted against it in this window.
  if (action === 'unlock' || action === 'reset_password') await clearAccountLimits(ctx, target)
  const view = await getOperator({ ctx, input: { operator: by, id, now } })
  return oneTimePassword ? { operator: view, oneTimePassword } : { operator: view }
}
