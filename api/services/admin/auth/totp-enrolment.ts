import { findOperatorById, storePendingTotpSecret } from '../../../../db/queries/operators.ts'
import type { Operator } from '../../../../db/database.ts'
import { decryptField, encryptField, type PiiKeyring } from '../../../privacy/pii.ts'
import type { ServiceContext } from '../../../deps.ts'
import { ApiError } from '../../../errors.ts'
import type { ConsoleSession } from '../sessions.ts'
import { groupedForTyping, newTotpSecret, otpauthUri } from './totp.ts'

// The secret is sealed like personal data, bound to its row: a copy in another row will not open.
const aadOf = (operatorId: string) => `operators:${operatorId}:totp`

export function openTotpSecret(
  ring: PiiKeyring,
  operator: Pick<Operator, 'id' | 'totpKeyId' | 'totpSecretSealed'>,
): string | undefined {
  if (!operator.totpKeyId || !operator.totpSecretSealed) return undefined
  return decryptField(ring, operator.totpKeyId, operator.totpSecretSealed, aadOf(operator.id))
}

export interface TotpEnrolment {
  /** Base32, for apps that take it typed in. */
  secret: string
  /** The same in groups of four. */
  secretGrouped: string
  /** otpauth:// URI, for apps that take a link (or a QR code of it). */
  uri: string
}

/**
 * The secret an operator adds to an authenticator app. Made once and kept (sealed) until a first
 * code proves it, so reloading the page shows the same secret; refused once TOTP is on.
 */
export async function totpEnrolment({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { session: ConsoleSession }
}): Promise<TotpEnrolment> {
  const id = input.session.operator.id
  let operator = await findOperatorById(ctx.db, id)
  if (operator?.totpEnabledAt) {
    throw new ApiError(
      'CONFLICT',
      '动态验证码已经启用，无需再次绑定。如更换了手机，请联系市局管理员重置。',
    )
  }
  if (operator && !operator.totpSecretSealed) {
    await storePendingTotpSecret(
      ctx.db,
      id,
      encryptField(ctx.privacy.ring, newTotpSecret(), aadOf(id)),
    )
    // Read back: of two enrolments started at once, both must show the one secret kept.
    operator = await findOperatorById(ctx.db, id)
  }
  const secret = operator && openTotpSecret(ctx.privacy.ring, operator)
  if (!secret) throw new ApiError('UNAUTHORIZED', '登录已失效，请重新登录后台。')
  return {
    secret,
    secretGrouped: groupedForTyping(secret),
    uri: otpauthUri(secret, input.session.operator.username),
  }
}
