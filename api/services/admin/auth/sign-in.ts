import { createHmac } from 'node:crypto'
import {
  clearFailedSignIns,
  findOperatorByUsername,
  updatePasswordHash,
} from '../../../../db/queries/operators.ts'
import type { ServiceContext } from '../../../deps.ts'
import { ApiError } from '../../../errors.ts'
import { rateLimitHits } from '../../../../db/queries/complaints.ts'
import {
  assertUnderLimits,
  countFailures,
  currentWindows,
  refusalOf,
} from '../../limits/rate-limit.ts'
import type { SignedInOperator } from '../access.ts'
import { recordAudit } from '../audit.ts'
import { hashSessionToken } from '../sessions.ts'
import {
  dummyPasswordHash,
  hashPassword,
  passwordNeedsRehash,
  verifyPassword,
} from './password-hash.ts'
import { usernamePattern } from './create-operator.ts'
import { issueSession, stageAfterPassword, type IssuedSession } from './stages.ts'
import {
  addressLimits,
  countAccountFailure,
  failuresBeforeLock,
  isLocked,
  lockedRefusal,
  slowDown,
  unknownNameLimits,
} from './throttle.ts'

export interface SignInInput {
  username: string
  password: string
  clientAddress: string
  userAgent: string
  /** The console cookie the browser sent, if any: it is ended, whoever it belonged to. */
  previousToken?: string | undefined
  now?: Date
}

export interface SignInResult extends IssuedSession {
  operator: SignedInOperator
}

const wrongCredentials = () =>
  new ApiError(
    'UNAUTHORIZED',
    '用户名或密码不正确，请核对后重试（注意大小写和输入法）。连续输错 5 次，账号将锁定 15 分钟。',
  )

/**
 * Checks a username and password and starts a new session at the first stage still owed: a new
 * password, a TOTP code, or none. Unknown names cost the same time and, after five tries, get
 * the same refusal as a locked account, so neither timing nor answers tell which names exist.
 */
export async function signIn({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: SignInInput
}): Promise<SignInResult> {
  const now = input.now ?? new Date()
  const username = input.username.trim().toLowerCase().slice(0, 100)
  await assertUnderLimits(
    ctx.db,
    addressLimits(ctx.privacy.hashKey, input.clientAddress),
    now.getTime(),
  )
  const found = await findOperatorByUsername(ctx.db, username)
  const operator = found?.disabledAt === null ? found : undefined
  if (!operator) return refuseUnknownName(ctx, username, input, now)
  if (isLocked(operator, now)) throw lockedRefusal(operator.lockedUntil!, now)

  if (!(await verifyPassword(operator.passwordHash, input.password))) {
    const failure = await countAccountFailure(ctx, operator, {
      reason: 'password',
      clientAddress: input.clientAddress,
      now,
    })
    throw failure.locked ? lockedRefusal(failure.lockedUntil, now) : wrongCredentials()
  }

  await clearFailedSignIns(ctx.db, operator.id)
  if (passwordNeedsRehash(operator.passwordHash)) {
    const rehashed = await hashPassword(input.password)
    await updatePasswordHash(ctx.db, operator.id, rehashed, { changedByOperator: false })
  }
  const stage = stageAfterPassword(operator)
  // The session and its audit entry exist together or not at all.
  const session = await ctx.db.transaction().execute(async (trx) => {
    const issued = await issueSession(ctx, trx, {
      previous: input.previousToken ? hashSessionToken(input.previousToken) : undefined,
      operatorId: operator.id,
      stage,
      clientAddress: input.clientAddress,
      userAgent: input.userAgent,
      now,
    })
    await recordAudit(trx, {
      operator,
      action: 'auth.sign_in',
      clientAddress: input.clientAddress,
      detail: { step: 'password', next: stage },
    })
    return issued
  })
  return {
    ...session,
    operator: {
      id: operator.id,
      username: operator.username,
      role: operator.role,
      countyCode: operator.countyCode,
    },
  }
}

async function refuseUnknownName(
  ctx: ServiceContext,
  username: string,
  input: SignInInput,
  now: Date,
): Promise<never> {
  const nameLimits = unknownNameLimits(ctx.privacy.hashKey, username)
  await assertUnderLimits(ctx.db, nameLimits, now.getTime())
  await verifyPassword(await dummyPasswordHash(), input.password)
  await countFailures(
    ctx.db,
    [...nameLimits, ...addressLimits(ctx.privacy.hashKey, input.clientAddress)],
    now.getTime(),
  )
  await recordAudit(ctx.db, {
    operator: null,
    // People type passwords into the name field, and a lower-case password can look like a name:
    // an unknown name is never written down, only a keyed hash that ties repeated tries together.
    username: usernamePattern.test(username) ? '(未知用户名)' : '(不是有效的用户名)',
    action: 'auth.sign_in_failed',
    clientAddress: input.clientAddress,
    detail: {
      reason: 'unknown_username',
      nameHash: createHmac('sha256', ctx.privacy.hashKey)
        .update(`unknown-name:${username}`)
        .digest('hex')
        .slice(0, 16),
    },
  })
  const [limit] = nameLimits
  const [window] = currentWindows(nameLimits, now.getTime())
  const failures = window ? await rateLimitHits(ctx.db, window.bucket, window.windowStart) : 1
  if (limit && failures >= failuresBeforeLock) throw refusalOf(limit, now.getTime())
  await slowDown(failures)
  throw wrongCredentials()
}
