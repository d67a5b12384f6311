import type { Insertable, Kysely } from 'kysely'
import type { Database, OperatorSessionTable } from '../database.ts'

export async function insertSession(
  db: Kysely<Database>,
  session: Insertable<OperatorSessionTable>,
) {
  await db.insertInto('operatorSessions').values(session).execute()
}

/** A session and what the console needs of its operator. */
export function findSession(db: Kysely<Database>, tokenHash: Buffer) {
  return db
    .selectFrom('operatorSessions as s')
    .innerJoin('operators as o', 'o.id', 's.operatorId')
    .select([
      's.stage',
      's.lastSeenAt',
      's.expiresAt',
      'o.id',
      'o.username',
      'o.role',
      'o.countyCode',
      'o.disabledAt',
      'o.mustChangePassword',
      'o.totpEnabledAt',
    ])
    .where('s.tokenHash', '=', tokenHash)
    .executeTakeFirst()
}

export async function touchSession(db: Kysely<Database>, tokenHash: Buffer, lastSeenAt: Date) {
  await db
    .updateTable('operatorSessions')
    .set({ lastSeenAt })
    .where('tokenHash', '=', tokenHash)
    .execute()
}

export async function deleteSession(db: Kysely<Database>, tokenHash: Buffer) {
  await db.deleteFrom('operatorSessions').where('tokenHash', '=', tokenHash).execute()
}

/** Every session of an operator, but the one `except` names. */
export async function deleteSessionsOf(db: Kysely<Database>, operatorId: string, except?: Buffer) {
  let q = db.deleteFrom('operatorSessions').where('operatorId', '=', operatorId)
  if (except) q = q.where('tokenHash', '!=', except)
  await q.execute()
}
