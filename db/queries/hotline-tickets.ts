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
 * Inserts the case a dispatched ticket becomes. A credit code naming a certified business links
 * the case to it and counts one more complaint against it, as web intake does
 * (2026-11-27T1500-file-complaints-in-batches.ts).
 */
export async function insertHotlineCase(
  trx: Transaction<Database>,
  row: Omit<Insertable<ComplaintTable>, 'enterpriseUscc' | 'channel'>,
): Promise<string> {
  const linked = row.merchantUscc
    ? await trx
        .updateTable('enterprises')
        .set({ complaintCount: sql<number>`complaint_count + 1` })
        .where('uscc', '=', row.merchantUscc)
        .returning('uscc')
        .executeTakeFirst()
    : undefined
  const inserted = await trx
    .insertInto('complaints')
    .values({ ...row, channel: 'hotline12345', enterpriseUscc: linked?.uscc ?? null })
    .returning('id')
    .executeTakeFirstOrThrow()
  return inserted.id
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
