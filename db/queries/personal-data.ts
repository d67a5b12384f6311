import { sql, type Kysely, type Transaction, type Updateable } from 'kysely'
import type { ComplaintStatus, ComplaintTable, Database } from '../database.ts'

/** What makes an ended case due for erasure (api/services/admin/cases/retention.ts decides). */
export interface ErasureDue {
  /** Received before it, and no work on the case since. */
  cutoff: Date
  limit: number
  /** The statuses of a case that has ended. */
  endedStatuses: readonly ComplaintStatus[]
  /** Timeline entries that are not work on the case (a hold and its lifting). */
  notWorkKinds: readonly string[]
}

/**
 * Ended cases received before `cutoff` whose resident is still on record, not held, and with no
 * work on them since `cutoff`: up to `limit`, locked for erasure (others sweeping skip them).
 * complaints_retention_idx finds the old ones without reading the rest.
 */
export function casesDueForErasure(due: ErasureDue) {
  return sql<{ id: string }>`
    SELECT c.id FROM complaints c
    WHERE c.status IN (${sql.join(due.endedStatuses)})
      AND c.personal_data_erased_at IS NULL
      AND c.erasure_held_at IS NULL
      AND c.received_at < ${due.cutoff}
      AND NOT EXISTS (
        SELECT 1 FROM complaint_events e
        WHERE e.complaint_id = c.id AND e.occurred_at >= ${due.cutoff}
          AND e.kind NOT IN (${sql.join(due.notWorkKinds)})
      )
    ORDER BY c.id
    LIMIT ${due.limit}
    FOR UPDATE SKIP LOCKED
  `
}

/** casesDueForErasure, run: the ids of the cases it locked. */
export async function lockCasesDueForErasure(
  trx: Transaction<Database>,
  due: ErasureDue,
): Promise<string[]> {
  const { rows } = await casesDueForErasure(due).execute(trx)
  return rows.map((r) => r.id)
}

/** Stored 12345 events received before `cutoff` that never became a case (rejected or held). */
export function deleteUnappliedEventsBefore(db: Kysely<Database>, cutoff: Date) {
  return db
    .deleteFrom('hotlineInbox')
    .where('state', 'in', ['rejected', 'held'])
    .where('receivedAt', '<', cutoff)
}

/** deleteUnappliedEventsBefore, run. */
export async function dropUnappliedEventsBefore(db: Kysely<Database>, cutoff: Date) {
  await deleteUnappliedEventsBefore(db, cutoff).execute()
}

/** What erasure reads of these cases: the sealed contact, and the texts handlers wrote. */
export async function casesForErasure(trx: Transaction<Database>, ids: readonly string[]) {
  return trx
    .selectFrom('complaints')
    .select([
      'id',
      'trackingNo',
      'piiKeyId',
      'nameSealed',
      'phoneSealed',
      'rejectionNote',
      'handlingResult',
      'publicReply',
    ])
    .where('id', 'in', ids)
    .execute()
}

/** Writes an erased case; with `bumpVersion`, as a new version of it. */
export async function updateErasedCase(
  trx: Transaction<Database>,
  id: string,
  set: Omit<Updateable<ComplaintTable>, 'version' | 'updatedAt'>,
  options: { bumpVersion: boolean; updatedAt: Date },
) {
  await trx
    .updateTable('complaints')
    .set({
      ...set,
      ...(options.bumpVersion ? { version: sql<number>`version + 1` } : {}),
      updatedAt: options.updatedAt,
    })
    .where('id', '=', id)
    .execute()
}

/** Replaces the title of these cases' 12345 work orders; returns the tickets. */
export async function retitleTicketsOfCases(
  trx: Transaction<Database>,
  complaintIds: readonly string[],
  title: string,
  at: Date,
) {
  return trx
    .updateTable('hotlineTickets')
    .set({ title, updatedAt: at })
    .where('complaintId', 'in', complaintIds)
    .returning(['ticketNo', 'complaintId'])
    .execute()
}

/** Deletes these cases' photo rows; returns the stored files, for the caller to delete. */
export async function deletePhotosOfCases(
  trx: Transaction<Database>,
  complaintIds: readonly string[],
) {
  return trx
    .deleteFrom('complaintPhotos')
    .where('complaintId', 'in', complaintIds)
    .returning('storageKey')
    .execute()
}

/** Every timeline entry of these cases, public or not. */
export async function entriesOfCases(trx: Transaction<Database>, complaintIds: readonly string[]) {
  return trx
    .selectFrom('complaintEvents')
    .select(['id', 'complaintId', 'note'])
    .where('complaintId', 'in', complaintIds)
    .execute()
}

export async function setEntryNote(trx: Transaction<Database>, id: string, note: string) {
  await trx.updateTable('complaintEvents').set({ note }).where('id', '=', id).execute()
}

/**
 * The callbacks sent to 12345 for these cases, with their payloads as stored. Read without the
 * plugins: the payload's keys are the contract's, not columns to camel-case.
 */
export async function callbacksOfCases(
  trx: Transaction<Database>,
  complaintIds: readonly string[],
) {
  const { rows } = await sql<{ id: string; complaintId: string; payload: unknown }>`
    SELECT id::text AS id, complaint_id::text AS "complaintId", payload
    FROM hotline_callbacks WHERE complaint_id IN (${sql.join(complaintIds)})
  `.execute(trx.withoutPlugins())
  return rows
}

export async function setCallbackPayload(trx: Transaction<Database>, id: string, payload: string) {
  await trx.updateTable('hotlineCallbacks').set({ payload }).where('id', '=', id).execute()
}

/** The stored events of a 12345 work order, sealed. */
export async function inboxEventsOfTicket(trx: Transaction<Database>, ticketNo: string) {
  return trx
    .selectFrom('hotlineInbox')
    .select(['webhookId', 'piiKeyId', 'bodySealed', 'state'])
    .where('ticketNo', '=', ticketNo)
    .execute()
}

export async function deleteInboxEvent(trx: Transaction<Database>, webhookId: string) {
  await trx.deleteFrom('hotlineInbox').where('webhookId', '=', webhookId).execute()
}

/** Rewrites the timeline entries a 12345 event wrote on a case, found by kind and text. */
export async function rewriteHotlineEntries(
  trx: Transaction<Database>,
  entry: { complaintId: string; kind: string; note: string; newNote: string },
) {
  await trx
    .updateTable('complaintEvents')
    .set({ note: entry.newNote })
    .where('complaintId', '=', entry.complaintId)
    .where('actor', '=', 'hotline')
    .where('kind', '=', entry.kind)
    .where('note', '=', entry.note)
    .execute()
}

/** A case's contact as stored (sealed), for a correction. */
export async function sealedContactOf(trx: Transaction<Database>, id: string) {
  return trx
    .selectFrom('complaints')
    .select(['trackingNo', 'piiKeyId', 'nameSealed', 'phoneSealed'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow()
}

export async function updateSealedContact(
  trx: Transaction<Database>,
  id: string,
  set: Pick<Updateable<ComplaintTable>, 'nameSealed' | 'phoneSealed' | 'piiKeyId' | 'phoneHash'>,
) {
  await trx.updateTable('complaints').set(set).where('id', '=', id).execute()
}

/** The 12345 work order a case came from, if it came from one. */
export async function ticketNoOfCase(trx: Transaction<Database>, complaintId: string) {
  const ticket = await trx
    .selectFrom('hotlineTickets')
    .select('ticketNo')
    .where('complaintId', '=', complaintId)
    .executeTakeFirst()
  return ticket?.ticketNo
}

/** The stored events of a 12345 work order, sealed, locked for rewriting. */
export async function lockInboxEventsOfTicket(trx: Transaction<Database>, ticketNo: string) {
  return trx
    .selectFrom('hotlineInbox')
    .select(['webhookId', 'piiKeyId', 'bodySealed'])
    .where('ticketNo', '=', ticketNo)
    .forUpdate()
    .execute()
}
