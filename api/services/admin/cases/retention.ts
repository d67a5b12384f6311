import type { Transaction } from 'kysely'
import type { ComplaintStatus, Database, PersonalDataErasure } from '../../../../db/database.ts'
import { addCaseEvents } from '../../../../db/queries/cases.ts'
import {
  callbacksOfCases,
  casesDueForErasure as dueForErasureQuery,
  casesForErasure,
  deleteInboxEvent,
  deletePhotosOfCases,
  dropUnappliedEventsBefore,
  entriesOfCases,
  inboxEventsOfTicket,
  lockCasesDueForErasure,
  retitleTicketsOfCases,
  rewriteHotlineEntries,
  setCallbackPayload,
  setEntryNote,
  updateErasedCase,
  type ErasureDue,
} from '../../../../db/queries/personal-data.ts'
import { enqueue } from '../../../../db/queries/outbox.ts'
import { erasePayeeOfCases } from '../../../../db/queries/rewards.ts'
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

/**
 * A case in one of these has ended: 办结, 不予受理, 归档, returned to the 12345 hotline, or merged
 * into another (handled as that one).
 */
const endedStatuses: readonly ComplaintStatus[] = [
  'resolved',
  'rejected',
  'closed',
  'returned',
  'merged',
]

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
  await dropUnappliedEventsBefore(deps.db, retentionCutoff(now))
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

const dueForErasure = (cutoff: Date, limit: number): ErasureDue => ({
  cutoff,
  limit,
  endedStatuses,
  notWorkKinds: holdEntryKinds,
})

/**
 * The sweep's query for ended cases received before `cutoff`, unheld, untouched since, up to
 * `limit` (db/queries/personal-data.ts), as the sweep runs it; its test reads its plan.
 */
export const casesDueForErasure = (cutoff: Date, limit: number) =>
  dueForErasureQuery(dueForErasure(cutoff, limit))

async function eraseBatch(deps: RetentionDeps, now: Date, batchSize: number) {
  const cutoff = retentionCutoff(now)
  return deps.db.transaction().execute(async (trx) => {
    const due = await lockCasesDueForErasure(trx, dueForErasure(cutoff, batchSize))
    const busy = await casesWithBusyTicket(trx, due)
    const ids = due.filter((id) => !busy.has(id))
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
  const cases = await casesForErasure(trx, ids)
  const residents = new Map(cases.map((c) => [c.id, residentOf(deps, c)]))
  const scrub = (id: string, text: string) => withoutResident(text, residents.get(id)!)
  for (const c of cases) {
    await updateErasedCase(
      trx,
      c.id,
      {
        nameSealed: null,
        phoneSealed: null,
        phoneHash: null,
        piiKeyId: null,
        ratingCommentSealed: null,
        ratingKeyId: null,
        description: erasedText,
        address: erasedText,
        rejectionNote: c.rejectionNote && scrub(c.id, c.rejectionNote),
        handlingResult: c.handlingResult && scrub(c.id, c.handlingResult),
        publicReply: c.publicReply && scrub(c.id, c.publicReply),
        personalDataErasedAt: at,
        personalDataErasure: options.erasure,
      },
      { bumpVersion: options.bumpVersion, updatedAt: at },
    )
  }

  // A reporter's receiving details for a reward (举报奖励) go too; the reward's facts stay.
  await erasePayeeOfCases(trx, ids)

  const tickets = await retitleTicketsOfCases(trx, ids, erasedText, at)
  for (const ticket of tickets) await redactTicket(deps, trx, ticket)
  // After the work orders: their own entries are matched by the text they first wrote.
  await scrubRecords(trx, ids, scrub)

  const photos = await deletePhotosOfCases(trx, ids)
  for (const photo of photos) await deps.photos.delete(photo.storageKey)
  return residents
}

/** Takes the resident out of these cases' timeline entries and of the callbacks sent to 12345. */
async function scrubRecords(
  trx: Transaction<Database>,
  ids: readonly string[],
  scrub: (complaintId: string, text: string) => string,
) {
  const entries = await entriesOfCases(trx, ids)
  for (const entry of entries) {
    const note = scrub(entry.complaintId, entry.note)
    if (note === entry.note) continue
    await setEntryNote(trx, entry.id, note)
  }
  const callbacks = await callbacksOfCases(trx, ids)
  for (const callback of callbacks) {
    // Stored by insertCallback from a HotlineCallback.
    const payload = callback.payload as HotlineCallback
    const detail = Object.fromEntries(
      Object.entries(payload.detail).map(([key, value]) => [
        key,
        typeof value === 'string' ? scrub(callback.complaintId, value) : value,
      ]),
    )
    if (JSON.stringify(detail) === JSON.stringify(payload.detail)) continue
    await setCallbackPayload(trx, callback.id, JSON.stringify({ ...payload, detail }))
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
  const rows = await inboxEventsOfTicket(trx, ticket.ticketNo)
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
      await deleteInboxEvent(trx, row.webhookId)
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
    await rewriteHotlineEntries(trx, {
      complaintId: ticket.complaintId,
      kind: was.kind,
      note: was.note,
      newNote: now.note,
    })
  }
}
