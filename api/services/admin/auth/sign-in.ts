import {
  clearFailedSignIns,
  findOperatorByUsername,
  updatePasswordHash,
} from '../../../../db/queries/operators.ts'
import type { ServiceContext } from '../../../deps.ts'
import { ApiError } from '../../../errors.ts'
import type { SignedInOperator } from '../access.ts'
import { recordAudit } from '../audit.ts'
import { hashSessionToken } from '../sessions.ts'
import {
  dummyPasswordHash,
  hashPassword,
  passwordNeedsRehash,
  verifyPassword,
} from './password-hash.ts'
import { issueSession, stageAfterPassword, type IssuedSession } from './stages.ts'
import {
  attemptFailed,
  attemptSucceeded,
  countPasswordAttempt,
  pairFailureLimit,
  passwordRefusal,
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
    `用户名或密码不正确，请核对后重试（注意大小写和输入法）。从同一网络连续输错 ${pairFailureLimit} 次，将暂停从这里登录这个账号 15 至 30 分钟。`,
  )

/**
 * Checks a username and password and starts a new session at the first stage still owed: a new
 * password, a TOTP code, or none. The attempt is counted before the password is checked
 * (throttle.ts), so guesses sent at once get no more checks than the limits allow. Unknown names
 * are counted, checked against a dummy hash and refused exactly like known ones, so neither
 * timing nor answers tell which names exist.
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
  const attempt = await countPasswordAttempt(ctx, {
    username,
    clientAddress: input.clientAddress,
    now,
  })
  const found = await findOperatorByUsername(ctx.db, username)
  const operator = found?.disabledAt === null ? found : undefined
  const refusal = passwordRefusal(attempt, operator)
  if (refusal) throw refusal

  const hash = operator ? operator.passwordHash : await dummyPasswordHash()
  if (!(await verifyPassword(hash, input.password)) || !operator) {
    const failure = await attemptFailed(ctx, attempt, {
      operator,
      username,
      reason: 'password',
      clientAddress: input.clientAddress,
    })
    throw failure ?? wrongCredentials()
  }

  await attemptSucceeded(ctx, attempt)
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
