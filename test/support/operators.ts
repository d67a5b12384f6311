import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Deps } from '../../api/deps.ts'
import type { SignedInOperator } from '../../api/services/admin/access.ts'
import { csrfTokenFor, sessionCookieName, startSession } from '../../api/services/admin/sessions.ts'
import type { Database, OperatorRole } from '../../db/database.ts'

export interface OperatorSession {
  id: string
  username: string
  /** The session token, and `cookie`: the header a browser would send with it. */
  token: string
  tokenHash: Buffer
  cookie: string
}

/**
 * An operator with a fully signed-in session, made straight in `db` (a test's own database, or
 * the browser tests' product's): sign-in itself has tests of its own. The row holds a hash no
 * password matches.
 */
export async function operatorSession(
  db: Kysely<Database>,
  role: OperatorRole,
  countyCode: string | null = null,
  username = `${role.replace('_', '')}${randomBytes(4).toString('hex')}`,
): Promise<OperatorSession> {
  const row = await db
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
  const { token, tokenHash } = await startSession(db, {
    operatorId: row.id,
    stage: 'active',
    clientAddress: '127.0.0.1',
    userAgent: 'test',
  })
  return { id: row.id, username, token, tokenHash, cookie: `${sessionCookieName}=${token}` }
}

export interface TestOperator {
  operator: SignedInOperator
  /** Headers of a signed-in console request: the session cookie and the CSRF token. */
  headers: { cookie: string; 'x-csrf-token': string }
}

/** A signed-in operator with the headers of a console API request, for route tests. */
export async function signedInOperator(
  deps: Deps,
  role: OperatorRole,
  countyCode: string | null = null,
): Promise<TestOperator> {
  const s = await operatorSession(deps.db, role, countyCode)
  return {
    operator: { id: s.id, username: s.username, role, countyCode },
    headers: { cookie: s.cookie, 'x-csrf-token': csrfTokenFor(deps.privacy.hashKey, s.tokenHash) },
  }
}
