import { sql, type Insertable, type Transaction, type Updateable } from 'kysely'
import type { ComplaintTable, Database, HotlineTicketTable } from '../database.ts'

/** The ticket and the case it became, locked for the caller's transaction. */
export async function findTicketForUpdate(trx: Transaction<Database>, ticketNo: string) {
  return trx
    .selectFrom('hotlineTickets as t')
    .innerJoin('complaints as c', 'c.id', 't.complaintId')
    .select([
      't.ticketNo',
      't.complaintId',
      't.returnState',
      't.extensionState',
      'c.personalDataErasedAt',
    ])
    .where('t.ticketNo', '=', ticketNo)
    .forUpdate('t')
    .executeTakeFirst()
}

/**
 * Links a case to the certified business its credit code names and counts one more complaint
 * against it, as web intake does (2026-12-06T0900-random-tracking-numbers.ts); the business's
 * code, or null when none is certified under it.
 */
export async function countHotlineComplaint(
  trx: Transaction<Database>,
  merchantUscc: string | null | undefined,
): Promise<string | null> {
  if (!merchantUscc) return null
  const linked = await trx
    .updateTable('enterprises')
    .set({ complaintCount: sql<number>`complaint_count + 1` })
    .where('uscc', '=', merchantUscc)
    .returning('uscc')
    .executeTakeFirst()
  return linked?.uscc ?? null
}

/**
 * Inserts the case a dispatched ticket becomes; undefined, with nothing inserted, when another
 * case already has its (random) tracking number, so the caller can draw another.
 */
export async function insertHotlineCase(
  trx: Transaction<Database>,
  row: Omit<Insertable<ComplaintTable>, 'channel'>,
): Promise<string | undefined> {
  const inserted = await trx
    .insertInto('complaints')
    .values({ ...row, channel: 'hotline12345' })
    .onConflict((oc) => oc.column('trackingNo').doNothing())
    .returning('id')
    .executeTakeFirst()
  return inserted?.id
}

export async function insertTicket(
  trx: Transaction<Database>,
  row: Insertable<HotlineTicketTable>,
) {
  await trx.insertInto('hotlineTickets').values(row).execute()
}

export async function updateTicket(
  trx: Transaction<Database>,
  ticketNo: string,
  changes: Updateable<HotlineTicketTable>,
) {
  await trx
    .updateTable('hotlineTickets')
    .set({ ...changes, updatedAt: sql<Date>`now()` })
    .where('ticketNo', '=', ticketNo)
    .execute()
}

/** The case's timeline entries of these kinds written by the console (not by the hotline). */
export async function consoleEntriesOf(
  trx: Transaction<Database>,
  complaintId: string,
  kinds: readonly string[],
) {
  if (kinds.length === 0) return []
  return trx
    .selectFrom('complaintEvents')
    .select(['id', 'kind', 'occurredAt'])
    .where('complaintId', '=', complaintId)
    .where('actor', '<>', 'hotline')
    .where('kind', 'in', kinds)
    .execute()
}

/** Writes the folded state onto the case with the next version. */
export async function updateHotlineCase(
  trx: Transaction<Database>,
  complaintId: string,
  changes: Pick<Updateable<ComplaintTable>, 'status' | 'dueAt' | 'priority' | 'closedAt'>,
) {
  await trx
    .updateTable('complaints')
    .set({ ...changes, version: sql<number>`version + 1`, updatedAt: sql<Date>`now()` })
    .where('id', '=', complaintId)
    .execute()
}
