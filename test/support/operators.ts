import { randomBytes } from 'node:crypto'
import type { Deps } from '../../api/deps.ts'
import type { SignedInOperator } from '../../api/services/admin/access.ts'
import { csrfTokenFor, sessionCookieName, startSession } from '../../api/services/admin/sessions.ts'
import type { OperatorRole } from '../../db/database.ts'

export interface TestOperator {
  operator: SignedInOperator
  /** Headers of a signed-in console request: the session cookie and the CSRF token. */
  headers: { cookie: string; 'x-csrf-token': string }
}

/**
 * An operator with a fully signed-in session, for tests of what the console lets each role do.
 * The password is never used (sign-in itself has tests of its own), so the row holds a hash no
 * password matches.
 */
export async function signedInOperator(
  deps: Deps,
  role: OperatorRole,
  countyCode: string | null = null,
): Promise<TestOperator> {
  const username = `${role.replace('_', '')}${randomBytes(3).toString('hex')}`
  const row = await deps.db
    .insertInto('operators')
    .values({
      username,
      role,
      countyCode,
      passwordHash: `$argon2id$v=19$m=19456,t=2,p=1$${randomBytes(16).toString('base64')}$unusable`,
      mustChangePassword: false,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  const { token, tokenHash } = await startSession(deps.db, {
    operatorId: row.id,
    stage: 'active',
    clientAddress: '127.0.0.1',
    userAgent: 'test',
  })
  return {
    operator: { id: row.id, username, role, countyCode },
    headers: {
      cookie: `${sessionCookieName}=${token}`,
      'x-csrf-token': csrfTokenFor(deps.privacy.hashKey, tokenHash),
    },
  }
}
