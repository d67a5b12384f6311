import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../database.ts'

/** What a recovery needs of a case: its id, its number and the keyed hash of the phone left. */
export async function recoveryTargetOf(db: Kysely<Database>, trackingNo: string) {
  return db
    .selectFrom('complaints')
    .select(['id', 'trackingNo', 'phoneHash'])
    .where('trackingNo', '=', trackingNo)
    .executeTakeFirst()
}

/** A new code for a case; the case's earlier codes that are still open expire with it. */
export async function insertRecovery(
  trx: Transaction<Database>,
  row: { complaintId: string; codeHash: Buffer; expiresAt: Date; now: Date },
): Promise<string> {
  await trx
    .updateTable('queryCodeRecoveries')
    .set({ expiresAt: row.now })
    .where('complaintId', '=', row.complaintId)
    .where('usedAt', 'is', null)
    .where('expiresAt', '>', row.now)
    .execute()
  const inserted = await trx
    .insertInto('queryCodeRecoveries')
    .values({ complaintId: row.complaintId, codeHash: row.codeHash, expiresAt: row.expiresAt })
    .returning('id')
    .executeTakeFirstOrThrow()
  return inserted.id
}

/** The case's newest code still open at `now` (unused, unexpired, tries left), locked. */
export async function lockOpenRecovery(
  trx: Transaction<Database>,
  complaintId: string,
  options: { now: Date; maxTries: number },
) {
  return trx
    .selectFrom('queryCodeRecoveries')
    .select(['id', 'codeHash', 'tries'])
    .where('complaintId', '=', complaintId)
    .where('usedAt', 'is', null)
    .where('expiresAt', '>', options.now)
    .where('tries', '<', options.maxTries)
    .orderBy('id', 'desc')
    .limit(1)
    .forUpdate()
    .executeTakeFirst()
}

export async function countWrongRecoveryTry(trx: Transaction<Database>, id: string) {
  await trx
    .updateTable('queryCodeRecoveries')
    .set((eb) => ({ tries: eb('tries', '+', 1) }))
    .where('id', '=', id)
    .execute()
}

/** The code is used, and the case's query code is the new one: the old one stops working. */
export async function completeRecovery(
  trx: Transaction<Database>,
  recovery: { id: string; complaintId: string; queryCodeHash: Buffer; at: Date },
) {
  await trx
    .updateTable('queryCodeRecoveries')
    .set({ usedAt: recovery.at })
    .where('id', '=', recovery.id)
    .execute()
  await trx
    .updateTable('complaints')
    .set({ queryCodeHash: recovery.queryCodeHash })
    .where('id', '=', recovery.complaintId)
    .execute()
}

/** Recovery codes older than `before`: worthless, so not kept. */
export async function deleteRecoveriesBefore(db: Kysely<Database>, before: Date) {
  await db.deleteFrom('queryCodeRecoveries').where('createdAt', '<', before).execute()
}
