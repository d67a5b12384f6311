import { sql, type Kysely, type Transaction } from 'kysely'
import type { ComplaintStatus, Database, PersonalDataErasure } from '../../../../db/database.ts'
import { addCaseEvents } from '../../../../db/queries/cases.ts'
import { enqueue } from '../../../../db/queries/outbox.ts'
import { casesWithBusyTicket, replaceInboxBody } from '../../../../db/queries/hotline-inbox.ts'
import type { Deps } from '../../../deps.ts'
import { errorKind } from '../../../logger.ts'
import { erasedNote, erasedText, retentionYears, withoutResident } from '../../../domain/erasure.ts'
import { complaintChangedTopic, complaintKey } from '../../../search/complaint-indexer.ts'
import { recordAudit } from '../audit.ts'
import { unsealContact, type Contact } from './contact.ts'
import { caseMachine } from './machine.ts'
import type { HotlineCallback } from '../../hotline/events.ts'
import { timelineEntryOf } from '../../hotline/fold.ts'
import { openInboxEvent, redactInboxBody } from '../../hotline/inbox.ts'

/** A case in one of these has ended: 办结, 不予受理, 归档, or returned to the 12345 hotline. */
const endedStatuses: readonly ComplaintStatus[] = ['resolved', 'rejected', 'closed', 'returned']

type RetentionDeps = Pick<Deps, 'db' | 'privacy' | 'photos' | 'logger'>

/**
 * Keeps the privacy notice's promise: three years after a case ended (and nothing happened on it
 * since), the resident's name, phone and its keyed hash, the description and address they wrote,
 * and the photos are removed, and what handlers wrote keeps no trace of them (withoutResident);
 * what is left (category, county, business, figures, dates, the handling record) serves
 * statistics. A 12345 case also loses the caller's details in the stored work orders, and
 * hotline events that never became a case are dropped after the same time.
 *
 * Each batch is one transaction: the case is stamped, an internal timeline entry and an audit
 * entry are written, the private index is told through the outbox, and the photo files are
 * deleted before the commit, so a crash leaves either the whole case as it was (done again on
 * the next sweep) or nothing personal behind. A case whose 12345 work order is being applied at
 * that moment is left for the next sweep. Returns how many cases were erased.
 */
export async function erasePersonalDataPastRetention(
  deps: RetentionDeps,
  options: { now?: Date; batchSize?: number } = {},
): Promise<number> {
  const now = options.now ?? new Date()
  const batchSize = options.batchSize ?? 200
  let erased = 0
  for (;;) {
    const count = await eraseBatch(deps, now, batchSize)
    erased += count
    if (count < batchSize) break
  }
  await deleteUnappliedEventsBefore(deps.db, retentionCutoff(now)).execute()
  if (erased > 0) deps.logger.info({ erased }, 'personal data past its retention period erased')
  return erased
}

/**
 * A hold and its lifting are not work on the case: once lifted, data already past its retention
 * goes at the next sweep rather than three years after the lifting.
 */
const holdEntryKinds = [
  caseMachine.hold_erasure.entry.kind,
  caseMachine.lift_erasure_hold.entry.kind,
]

function retentionCutoff(now: Date) {
  const cutoff = new Date(now)
  cutoff.setUTCFullYear(cutoff.getUTCFullYear() - retentionYears)
  return cutoff
}

/**
 * Ended cases received before `cutoff` whose resident is still on record, not held, and with no
 * work on them since `cutoff`: up to `limit`, locked for erasure (others sweeping skip them).
 * complaints_retention_idx finds the old ones without reading the rest.
 */
export function casesDueForErasure(cutoff: Date, limit: number) {
  return sql<{ id: string }>`
    SELECT c.id FROM complaints c
    WHERE c.status IN (${sql.join(endedStatuses)})
      AND c.personal_data_erased_at IS NULL
      AND c.erasure_held_at IS NULL
      AND c.received_at < ${cutoff}
      AND NOT EXISTS (
        SELECT 1 FROM complaint_events e
        WHERE e.complaint_id = c.id AND e.occurred_at >= ${cutoff}
          AND e.kind NOT IN (${sql.join(holdEntryKinds)})
      )
    ORDER BY c.id
    LIMIT ${limit}
    FOR UPDATE SKIP LOCKED
  `
}

/** Stored 12345 events received before `cutoff` that never became a case (rejected or held). */
export function deleteUnappliedEventsBefore(db: Kysely<Database>, cutoff: Date) {
  return db
    .deleteFrom('hotlineInbox')
    .where('state', 'in', ['rejected', 'held'])
    .where('receivedAt', '<', cutoff)
}

async function eraseBatch(deps: RetentionDeps, now: Date, batchSize: number) {
  const cutoff = retentionCutoff(now)
  return deps.db.transaction().execute(async (trx) => {
    const due = await casesDueForErasure(cutoff, batchSize).execute(trx)
    const busy = await casesWithBusyTicket(
      trx,
      due.rows.map((r) => r.id),
    )
    const ids = due.rows.map((r) => r.id).filter((id) => !busy.has(id))
    if (ids.length === 0) return 0

    await erasePersonalData(deps, trx, ids, { at: now, erasure: 'retention', bumpVersion: true })
    await addCaseEvents(
      trx,
      ids.map((id) => ({
        complaintId: id,
        kind: 'personal_data_erased',
        isPublic: false,
        note: erasedNote,
        actor: 'system',
        occurredAt: now,
      })),
    )
    for (const id of ids) {
      await recordAudit(trx, {
        operator: null,
        username: 'system',
        action: 'case.personal_data_erased',
        complaintId: id,
        detail: { retentionYears },
      })
    }
    await enqueue(
      trx,
      ids.map((id) => ({
        topic: complaintChangedTopic,
        aggregateKey: complaintKey(id),
        payload: { id },
      })),
    )
    return ids.length
  })
}

/**
 * Removes these cases' personal data in the caller's transaction: the name, the phone and its
 * keyed hash, the description and address, the photos (rows, and files before the commit: a
 * failure rolls the case back, and deleting a file already gone is not an error), the caller in
 * stored 12345 work orders, and the resident in what handlers wrote. The case is stamped with
 * `erasure` (and a new version unless the caller's own update gave it one). Returns each case's
 * resident as they were, to keep them out of text the caller still writes.
 */
export async function erasePersonalData(
  deps: RetentionDeps,
  trx: Transaction<Database>,
  ids: readonly string[],
  options: { at: Date; erasure: PersonalDataErasure; bumpVersion: boolean },
): Promise<Map<string, Contact>> {
  const { at } = options
  const cases = await trx
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
  const residents = new Map(cases.map((c) => [c.id, residentOf(deps, c)]))
  const scrub = (id: string, text: string) => withoutResident(text, residents.get(id)!)
  for (const c of cases) {
    await trx
      .updateTable('complaints')
      .set({
        nameSealed: null,
        phoneSealed: null,
        phoneHash: null,
        piiKeyId: null,
        description: erasedText,
        address: erasedText,
        rejectionNote: c.rejectionNote && scrub(c.id, c.rejectionNote),
        handlingResult: c.handlingResult && scrub(c.id, c.handlingResult),
        publicReply: c.publicReply && scrub(c.id, c.publicReply),
        personalDataErasedAt: at,
        personalDataErasure: options.erasure,
        ...(options.bumpVersion ? { version: sql<number>`version + 1` } : {}),
        updatedAt: at,
      })
      .where('id', '=', c.id)
      .execute()
  }

  const tickets = await trx
    .updateTable('hotlineTickets')
    .set({ title: erasedText, updatedAt: at })
    .where('complaintId', 'in', ids)
    .returning(['ticketNo', 'complaintId'])
    .execute()
  for (const ticket of tickets) await redactTicket(deps, trx, ticket)
  // After the work orders: their own entries are matched by the text they first wrote.
  await scrubRecords(trx, ids, scrub)

  const photos = await trx
    .deleteFrom('complaintPhotos')
    .where('complaintId', 'in', ids)
    .returning('storageKey')
    .execute()
  for (const photo of photos) await deps.photos.delete(photo.storageKey)
  return residents
}

/** Takes the resident out of these cases' timeline entries and of the callbacks sent to 12345. */
async function scrubRecords(
  trx: Transaction<Database>,
  ids: readonly string[],
  scrub: (complaintId: string, text: string) => string,
) {
  const entries = await trx
    .selectFrom('complaintEvents')
    .select(['id', 'complaintId', 'note'])
    .where('complaintId', 'in', ids)
    .execute()
  for (const entry of entries) {
    const note = scrub(entry.complaintId, entry.note)
    if (note === entry.note) continue
    await trx.updateTable('complaintEvents').set({ note }).where('id', '=', entry.id).execute()
  }
  // Without the plugins: the payload's keys are the contract's, not columns to camel-case.
  const { rows: callbacks } = await sql<{
    id: string
    complaintId: string
    payload: HotlineCallback
  }>`
    SELECT id::text AS id, complaint_id::text AS "complaintId", payload
    FROM hotline_callbacks WHERE complaint_id IN (${sql.join(ids)})
  `.execute(trx.withoutPlugins())
  for (const callback of callbacks) {
    const { payload } = callback
    const detail = Object.fromEntries(
      Object.entries(payload.detail).map(([key, value]) => [
        key,
        typeof value === 'string' ? scrub(callback.complaintId, value) : value,
      ]),
    )
    if (JSON.stringify(detail) === JSON.stringify(payload.detail)) continue
    await trx
      .updateTable('hotlineCallbacks')
      .set({ payload: JSON.stringify({ ...payload, detail }) })
      .where('id', '=', callback.id)
      .execute()
  }
}

/**
 * The resident's name and phone, to find them in what handlers wrote. Sealed under a key no
 * longer configured, they cannot be known: numbers are still masked, and the warning names the
 * case only.
 */
function residentOf(
  deps: RetentionDeps,
  row: Parameters<typeof unsealContact>[1] & { id: string },
): Contact {
  try {
    return unsealContact(deps.privacy, row)
  } catch (error) {
    deps.logger.warn(
      { complaintId: row.id, err: errorKind(error) },
      'the contact of a case being erased could not be opened; only numbers are masked in its record',
    )
    return { name: null, phone: null }
  }
}

/**
 * Takes the caller out of a 12345 case's stored work orders, and out of the timeline entries they
 * wrote (an entry quotes its event's supplement, note, reason or opinion): each entry is matched
 * by its kind and its text as first written, and rewritten as the redacted event writes it.
 */
async function redactTicket(
  deps: RetentionDeps,
  trx: Transaction<Database>,
  ticket: { ticketNo: string; complaintId: string },
) {
  const { ring } = deps.privacy
  const rows = await trx
    .selectFrom('hotlineInbox')
    .select(['webhookId', 'piiKeyId', 'bodySealed', 'state'])
    .where('ticketNo', '=', ticket.ticketNo)
    .execute()
  for (const row of rows) {
    let redacted
    try {
      redacted = redactInboxBody(ring, row, erasedText)
    } catch (error) {
      // Sealed under a key no longer configured, or no longer an event of the contract: it
      // cannot be redacted, and past its retention it may not be kept as it is.
      deps.logger.warn(
        { webhookId: row.webhookId, err: errorKind(error) },
        'a stored 12345 event could not be redacted at the end of its retention; it is deleted',
      )
      await trx.deleteFrom('hotlineInbox').where('webhookId', '=', row.webhookId).execute()
      continue
    }
    await replaceInboxBody(trx, row.webhookId, redacted)
    if (row.state !== 'applied') continue
    const was = timelineEntryOf(openInboxEvent(ring, row), true)
    const now = timelineEntryOf(
      openInboxEvent(ring, { webhookId: row.webhookId, ...redacted }),
      true,
    )
    if (was.note === now.note) continue
    await trx
      .updateTable('complaintEvents')
      .set({ note: now.note })
      .where('complaintId', '=', ticket.complaintId)
      .where('actor', '=', 'hotline')
      .where('kind', '=', was.kind)
      .where('note', '=', was.note)
      .execute()
  }
}
