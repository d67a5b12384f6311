import { createHmac, type KeyObject } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { countFailedSignIn } from '../../../../db/queries/operators.ts'
import type { Operator } from '../../../../db/database.ts'
import type { ServiceContext } from '../../../deps.ts'
import { ApiError } from '../../../errors.ts'
import { clientKey } from '../../limits/client-key.ts'
import { countFailures, type Limit } from '../../limits/rate-limit.ts'
import { recordAudit } from '../audit.ts'

/**
 * Guessing is slowed and then stopped (OWASP Authentication Cheat Sheet): per account, five
 * failures in a row (passwords and TOTP codes alike) lock it for 15 minutes, each failure before
 * that answered a little later than the last; per client address, 20 failures per 15 minutes.
 */
export const failuresBeforeLock = 5
export const lockMinutes = 15
export const addressFailureLimit = 20
const windowSeconds = 15 * 60

const lockedMessage = `账号因连续 ${failuresBeforeLock} 次验证失败已暂时锁定（如忘记密码，请联系市局管理员重置）。`

/** Failures from one client address, counted whoever's account they tried. */
export function addressLimits(hashKey: KeyObject, clientAddress: string): Limit[] {
  const client = clientKey(hashKey, clientAddress)
  if (!client) return []
  return [
    {
      bucket: `signin:addr:${client}`,
      max: addressFailureLimit,
      windowSeconds,
      message: '从您的网络登录失败次数过多，已暂停登录。',
    },
  ]
}

/**
 * A name no account has gets a counter of its own that ends in the same refusal as a locked
 * account, so locking cannot be used to learn which names exist.
 */
export function unknownNameLimits(hashKey: KeyObject, username: string): Limit[] {
  const key = createHmac('sha256', hashKey).update(`signin-name:${username}`).digest('hex')
  return [
    {
      bucket: `signin:name:${key.slice(0, 32)}`,
      max: failuresBeforeLock,
      windowSeconds,
      message: lockedMessage,
    },
  ]
}

/** The refusal of a locked account: 429 with Retry-After until the lock ends. */
export function lockedRefusal(until: Date, now: Date): ApiError {
  const retryAfterSeconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000))
  return new ApiError(
    'RATE_LIMITED',
    `${lockedMessage}请在 ${Math.ceil(retryAfterSeconds / 60)} 分钟后再试。`,
    { retryAfterSeconds },
  )
}

export const isLocked = (operator: Pick<Operator, 'lockedUntil'>, now: Date) =>
  operator.lockedUntil !== null && operator.lockedUntil > now

/** 0.25 s after the first failure in a row, doubling up to 2 s after the fourth. */
export const failureDelayMs = (failuresInARow: number) =>
  Math.min(2000, 250 * 2 ** Math.max(0, failuresInARow - 1))

export const slowDown = (failuresInARow: number) => sleep(failureDelayMs(failuresInARow))

export type FailureReason = 'password' | 'totp' | 'current_password'

/**
 * Counts a wrong password or code against the account and the client address, and records it.
 * Answers whether this failure locked the account (the caller refuses with `lockedRefusal`);
 * otherwise it returns only after the growing delay.
 */
export async function countAccountFailure(
  ctx: ServiceContext,
  operator: Pick<Operator, 'id' | 'username'>,
  input: { reason: FailureReason; clientAddress: string; now: Date },
): Promise<{ locked: boolean; lockedUntil: Date }> {
  const lockedUntil = new Date(input.now.getTime() + lockMinutes * 60_000)
  // The counts, the lock and their audit entries are written together; the pause comes after.
  const { failures, locked } = await ctx.db.transaction().execute(async (trx) => {
    const counted = await countFailedSignIn(trx, operator.id, {
      max: failuresBeforeLock,
      lockUntil: lockedUntil,
    })
    await countFailures(
      trx,
      addressLimits(ctx.privacy.hashKey, input.clientAddress),
      input.now.getTime(),
    )
    const entry = { operator, clientAddress: input.clientAddress }
    await recordAudit(trx, {
      ...entry,
      action: 'auth.sign_in_failed',
      detail: { reason: input.reason, failuresInARow: counted.failures },
    })
    if (counted.locked) {
      await recordAudit(trx, {
        ...entry,
        action: 'auth.locked',
        detail: { until: lockedUntil.toISOString(), minutes: lockMinutes },
      })
    }
    return counted
  })
  if (!locked) await slowDown(failures)
  return { locked, lockedUntil }
}
