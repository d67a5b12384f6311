import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Privacy } from '../../api/deps.ts'
import { encryptField } from '../../api/privacy/pii.ts'
import { hashPassword } from '../../api/services/admin/auth/password-hash.ts'
import {
  base32Decode,
  newTotpSecret,
  totpCode,
  totpStepAt,
} from '../../api/services/admin/auth/totp.ts'
import type { Database, OperatorRole } from '../../db/database.ts'

export interface KnownOperator {
  id: string
  username: string
  password: string
}

/** An operator whose password the test knows (hashed as the product hashes it). */
export async function operatorWithPassword(
  db: Kysely<Database>,
  options: {
    role?: OperatorRole
    countyCode?: string | null
    mustChangePassword?: boolean
    password?: string
  } = {},
): Promise<KnownOperator> {
  const role = options.role ?? 'county_handler'
  const countyCode =
    options.countyCode !== undefined
      ? options.countyCode
      : role === 'county_handler'
        ? '331102'
        : null
  const username = `op${randomBytes(4).toString('hex')}`
  const password = options.password ?? `pw-${randomBytes(9).toString('base64url')}`
  const row = await db
    .insertInto('operators')
    .values({
      username,
      role,
      countyCode,
      passwordHash: await hashPassword(password),
      mustChangePassword: options.mustChangePassword ?? false,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return { id: row.id, username, password }
}

/** Turns TOTP on for an operator, as enrolment would; returns the secret an app would hold. */
export async function withTotp(db: Kysely<Database>, privacy: Privacy, operatorId: string) {
  const secret = newTotpSecret()
  const sealed = encryptField(privacy.ring, secret, `operators:${operatorId}:totp`)
  await db
    .updateTable('operators')
    .set({ totpKeyId: sealed.keyId, totpSecretSealed: sealed.sealed, totpEnabledAt: new Date() })
    .where('id', '=', operatorId)
    .execute()
  return secret
}

/** The code an authenticator app shows now (or `stepsAhead` steps later) for a base32 secret. */
export function codeFor(secret: string, now = new Date(), stepsAhead = 0): string {
  return totpCode(base32Decode(secret), totpStepAt(now) + stepsAhead)
}

/** `name=value` of the session cookie a response set, with its attributes. */
export function setCookieOf(res: Response, name: string) {
  const header = res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`))
  if (!header) return undefined
  const [pair, ...attributes] = header.split(';').map((s) => s.trim())
  return { pair: pair!, value: pair!.slice(name.length + 1), attributes }
}
