import { createHmac, type KeyObject } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { clearRateLimitBuckets } from '../../../../db/queries/attempt-windows.ts'
import { countFailedSignIn, lockOperator } from '../../../../db/queries/operators.ts'
import type { Operator } from '../../../../db/database.ts'
import type { ServiceContext } from '../../../deps.ts'
import { ApiError } from '../../../errors.ts'
import { clientKey } from '../../limits/client-key.ts'
import {
  countAttempt,
  giveBackAttempt,
  previousWindowTotals,
  refusal,
  windowOf,
  type Limit,
} from '../../limits/rate-limit.ts'
import { recordAudit } from '../audit.ts'
import { usernamePattern } from './create-operator.ts'
import { totpRequired } from './stages.ts'

/**
 * Guessing is slowed and then stopped (OWASP Authentication Cheat Sheet), in a way a stranger
 * cannot turn against the owner (issue 20). Every password and TOTP attempt is counted BEFORE it
 * is checked, in one statement that answers the new total, so attempts sent at once cannot get
 * more checks than the limits allow. In 15-minute windows:
 *
 * - per account and client address: 5 failed passwords, each answered later than the one before;
 *   then that address may not try that account (other addresses may);
 * - per client address: 20 failures of any kind, on any account or name;
 * - per account, from all addresses (distributed guessing): 50 failed passwords. Then an account
 *   with a second factor still lets an address with no failure on it in this window check its
 *   password (the password alone signs nobody in), so the owner gets in from their own network;
 *   a password-only account, and a name no account has, are locked;
 * - TOTP codes, which only someone who knew the password can send: 5 wrong per account and
 *   address, 10 per account; then codes are refused.
 *
 * A limit reached in one window holds through the next as well, so a pause lasts 15 to 30
 * minutes wherever in its window it began (no second round of guesses just after a window
 * turns). A success gives its own attempt back and clears its address's count on the account.
 * Every checked failure and every lock is written to the audit log.
 */
const windowMinutes = 15
export const pairFailureLimit = 5
const addressFailureLimit = 20
const accountFailureLimit = 50
const totpPairFailureLimit = 5
const totpAccountFailureLimit = 10
const windowSeconds = windowMinutes * 60

const forgotten = '如忘记密码，请联系市局管理员重置。'
const lockedMessage = `这个账号近期验证失败次数过多，已暂时锁定（${forgotten}）`

const nameKeyOf = (hashKey: KeyObject, username: string) =>
  createHmac('sha256', hashKey).update(`signin-name:${username}`).digest('hex').slice(0, 32)

/** The counters one attempt goes into; `address` is absent when the address is not known. */
interface AttemptLimits {
  pair: Limit
  address: Limit | undefined
  account: Limit
}

function addressLimit(client: string | undefined): Limit | undefined {
  return client
    ? {
        bucket: `signin:addr:${client}`,
        max: addressFailureLimit,
        windowSeconds,
        message: '从您的网络登录失败次数过多，已暂停登录。',
      }
    : undefined
}

/**
 * Password attempts count by username, known or not, so a name no account has is limited exactly
 * like one that exists, and the answers do not tell them apart.
 */
function passwordLimits(hashKey: KeyObject, username: string, address: string): AttemptLimits {
  const name = nameKeyOf(hashKey, username)
  // An address the server could not learn is counted per account, never in one shared bucket.
  const client = clientKey(hashKey, address)
  return {
    pair: {
      bucket: `signin:pair:${name}:${client ?? 'unknown'}`,
      max: pairFailureLimit,
      windowSeconds,
      message: `从您的网络登录这个账号已连续失败 ${pairFailureLimit} 次，已暂停从这里登录这个账号（${forgotten}）`,
    },
    address: addressLimit(client),
    account: {
      bucket: `signin:name:${name}`,
      max: accountFailureLimit,
      windowSeconds,
      message: lockedMessage,
    },
  }
}

function totpLimits(hashKey: KeyObject, operatorId: string, address: string): AttemptLimits {
  const client = clientKey(hashKey, address)
  return {
    pair: {
      bucket: `totp:pair:${operatorId}:${client ?? 'unknown'}`,
      max: totpPairFailureLimit,
      windowSeconds,
      message: `动态验证码已连续输错 ${totpPairFailureLimit} 次，已暂停验证（请先核对手机时间是否准确）。`,
    },
    address: addressLimit(client),
    account: {
      bucket: `totp:acct:${operatorId}`,
      max: totpAccountFailureLimit,
      windowSeconds,
      message:
        '这个账号的动态验证码近期输错次数过多，已暂停验证。如不是您本人在尝试，说明密码可能已泄露，请联系市局管理员重置密码。',
    },
  }
}

interface Totals {
  pair: number
  address: number
  account: number
}

/**
 * One attempt, counted: each counter's total in this window, this attempt included, and in the
 * window before (a limit reached there still holds: a pause lasts at least one whole window).
 */
export interface Attempt extends Totals {
  limits: AttemptLimits
  before: Totals
  now: Date
}

async function counted(ctx: ServiceContext, limits: AttemptLimits, now: Date): Promise<Attempt> {
  const all = [limits.pair, limits.account, ...(limits.address ? [limits.address] : [])]
  const [totals, before] = await Promise.all([
    countAttempt(ctx.db, all, now.getTime()),
    previousWindowTotals(ctx.db, all, now.getTime()),
  ])
  const of = (map: Map<string, number>): Totals => ({
    pair: map.get(limits.pair.bucket) ?? 0,
    address: limits.address ? (map.get(limits.address.bucket) ?? 0) : 0,
    account: map.get(limits.account.bucket) ?? 0,
  })
  return { limits, ...of(totals), before: of(before), now }
}

type Counter = keyof Totals

/** Whether a counter's limit refuses this attempt: over it now, or reached in the window before. */
function over(attempt: Attempt, counter: Counter): boolean {
  const limit = attempt.limits[counter]
  if (!limit) return false
  return attempt[counter] > limit.max || attempt.before[counter] >= limit.max
}

/**
 * The 429 of a counter, with the wait until it lets attempts through again: the end of this
 * window, or of the next one when this window has reached the limit too.
 */
function paused(attempt: Attempt, counter: Counter): ApiError {
  const limit = attempt.limits[counter]!
  const { retryAfterSeconds } = windowOf(limit, attempt.now.getTime())
  const reachedNow = attempt[counter] >= limit.max
  return refusal(limit, retryAfterSeconds + (reachedNow ? limit.windowSeconds : 0))
}

/** Counts a password attempt (sign-in, or a password asked again) before it is checked. */
export function countPasswordAttempt(
  ctx: ServiceContext,
  input: { username: string; clientAddress: string; now: Date },
): Promise<Attempt> {
  return counted(
    ctx,
    passwordLimits(ctx.privacy.hashKey, input.username, input.clientAddress),
    input.now,
  )
}

/** Counts a TOTP code before it is checked. */
export function countTotpAttempt(
  ctx: ServiceContext,
  input: { operatorId: string; clientAddress: string; now: Date },
): Promise<Attempt> {
  return counted(
    ctx,
    totpLimits(ctx.privacy.hashKey, input.operatorId, input.clientAddress),
    input.now,
  )
}

/**
 * Why a counted password attempt may not be checked, or undefined when it may. `operator` is the
 * enabled account of the name, if any.
 */
export function passwordRefusal(
  attempt: Attempt,
  operator: Pick<Operator, 'role' | 'totpEnabledAt' | 'lockedUntil'> | undefined,
): ApiError | undefined {
  if (over(attempt, 'address')) return paused(attempt, 'address')
  if (over(attempt, 'pair')) return paused(attempt, 'pair')
  if (operator && isLocked(operator, attempt.now)) {
    return lockedRefusal(operator.lockedUntil!, attempt.now)
  }
  if (over(attempt, 'account')) {
    // Under distributed guessing, an address with no failure on the account may still try a
    // password that leads only to the TOTP step: this is how the owner gets in.
    const cleanAddress = attempt.pair === 1
    if (operator && totpRequired(operator) && cleanAddress) return undefined
    return paused(attempt, 'account')
  }
  return undefined
}

/** Why a counted TOTP code may not be checked, or undefined when it may. */
export function totpRefusal(attempt: Attempt): ApiError | undefined {
  for (const counter of ['address', 'pair', 'account'] as const) {
    if (over(attempt, counter)) return paused(attempt, counter)
  }
  return undefined
}

export type FailureReason = 'password' | 'totp' | 'current_password'

/**
 * Records a checked attempt that failed, and any lock it completed (the failure whose total
 * reaches a limit records it: one entry however many were sent at once). Answers the 429 when
 * this failure used the last allowance (the caller throws it), else waits the growing delay and
 * answers undefined (the caller throws its own "wrong" answer).
 */
export async function attemptFailed(
  ctx: ServiceContext,
  attempt: Attempt,
  input: {
    operator: Pick<Operator, 'id' | 'username' | 'role' | 'totpEnabledAt'> | undefined
    /** The name tried, for the audit entry of a name no account has. */
    username: string
    reason: FailureReason
    clientAddress: string
  },
): Promise<ApiError | undefined> {
  const { limits, now } = attempt
  const { operator } = input
  // Wrong codes stop the account (only someone with the password sends them); wrong passwords
  // stop it only when the password alone would sign in.
  const accountStops = input.reason === 'totp' || operator === undefined || !totpRequired(operator)
  // A limit reached in this window holds through the next one too (see `over`).
  const pauseEnd = new Date(
    windowOf(limits.account, now.getTime()).start.getTime() + 2 * windowSeconds * 1000,
  )
  const locks: string[] = []
  if (attempt.pair === limits.pair.max) locks.push('account_address')
  if (limits.address && attempt.address === limits.address.max) locks.push('address')
  if (attempt.account === limits.account.max) locks.push('account')

  await ctx.db.transaction().execute(async (trx) => {
    const who = operator
      ? { operator }
      : // People type passwords into the name field, and a lower-case password can look like a
        // name: an unknown name is never written down, only a keyed hash that ties tries together.
        {
          operator: null,
          username: usernamePattern.test(input.username) ? '(未知用户名)' : '(不是有效的用户名)',
        }
    const failuresInARow = operator ? await countFailedSignIn(trx, operator.id) : undefined
    await recordAudit(trx, {
      ...who,
      action: 'auth.sign_in_failed',
      clientAddress: input.clientAddress,
      detail: {
        reason: operator ? input.reason : 'unknown_username',
        ...(operator ? { failuresInARow } : { nameHash: limits.account.bucket.slice(-16) }),
        fromThisAddress: attempt.pair,
      },
    })
    if (operator && accountStops && input.reason !== 'totp' && locks.includes('account')) {
      await lockOperator(trx, operator.id, pauseEnd, now)
    }
    for (const scope of locks) {
      await recordAudit(trx, {
        ...who,
        action: 'auth.locked',
        clientAddress: input.clientAddress,
        detail: {
          scope,
          step: input.reason === 'totp' ? 'totp' : 'password',
          until: pauseEnd.toISOString(),
          // An account with a second factor still lets addresses with no failure on it try.
          ...(scope === 'account' && !accountStops ? { cleanAddressesMayTry: true } : {}),
        },
      })
    }
  })

  if (accountStops && attempt.account >= limits.account.max) return paused(attempt, 'account')
  if (attempt.pair >= limits.pair.max) return paused(attempt, 'pair')
  await slowDown(attempt.pair)
  return undefined
}

/**
 * A checked attempt that succeeded: it gives its own count back, and its address starts again
 * on the account (the owner's earlier typing errors are forgiven; a stranger's elsewhere are not).
 */
export async function attemptSucceeded(ctx: ServiceContext, attempt: Attempt) {
  const { limits, now } = attempt
  await giveBackAttempt(
    ctx.db,
    [limits.account, ...(limits.address ? [limits.address] : [])],
    now.getTime(),
  )
  await clearRateLimitBuckets(ctx.db, { exact: [limits.pair.bucket] })
}

/**
 * An administrator's unlock: the account's own counters start again, from every address, so its
 * right password is checked at once. Address-wide counters stay: they are not the account's.
 */
export async function clearAccountLimits(
  ctx: ServiceContext,
  operator: Pick<Operator, 'id' | 'username'>,
) {
  const name = nameKeyOf(ctx.privacy.hashKey, operator.username)
  await clearRateLimitBuckets(ctx.db, {
    exact: [`signin:name:${name}`, `totp:acct:${operator.id}`],
    prefixes: [`signin:pair:${name}:`, `totp:pair:${operator.id}:`],
  })
}

/** The refusal of a locked account: 429 with Retry-After until the lock ends. */
function lockedRefusal(until: Date, now: Date): ApiError {
  const retryAfterSeconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000))
  return new ApiError(
    'RATE_LIMITED',
    `${lockedMessage}请在 ${Math.ceil(retryAfterSeconds / 60)} 分钟后再试。`,
    { retryAfterSeconds },
  )
}

const isLocked = (operator: Pick<Operator, 'lockedUntil'>, now: Date) =>
  operator.lockedUntil !== null && operator.lockedUntil > now

/** 0.25 s after the first failure from an address, doubling up to 2 s after the fourth. */
const failureDelayMs = (failuresInARow: number) =>
  Math.min(2000, 250 * 2 ** Math.max(0, failuresInARow - 1))

const slowDown = (failuresInARow: number) => sleep(failureDelayMs(failuresInARow))
