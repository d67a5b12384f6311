import { sql, type Transaction } from 'kysely'
import type { ComplaintStatus, Database } from '../../../db/database.ts'
import { addCaseEvents } from '../../../db/queries/cases.ts'
import { enqueue } from '../../../db/queries/outbox.ts'
import type { Deps } from '../../deps.ts'
import { shanghaiToday } from '../../time.ts'
import { complaintChangedTopic, complaintKey } from '../../search/complaint-indexer.ts'
import { recordAudit } from '../admin/audit.ts'
import { timelineEntryOf } from '../hotline/fold.ts'
import { openInboxEvent, redactInboxBody } from '../hotline/inbox.ts'

/** How long a case's personal data is kept once the case has ended (/complaints/privacy). */
export const retentionYears = 3

/** What stands where the resident's own words and address were. */
export const erasedText = '（已按保存期限删除）'

/** A case in one of these has ended: 办结, 不予受理, 归档, or returned to the 12345 hotline. */
const endedStatuses: readonly ComplaintStatus[] = ['resolved', 'rejected', 'closed', 'returned']

const erasedNote = `案件结束已满 ${retentionYears} 年，已按保存期限删除投诉举报人的姓名、电话、诉求内容、地址和照片。`

/** What the console says of an erased case (its contact box, a refused reveal). */
export const erasureNotice = (erasedAt: Date) =>
  `案件结束已满 ${retentionYears} 年，投诉举报人的姓名、电话、诉求内容、地址和照片已于 ${shanghaiToday(erasedAt)} 按保存期限删除。`

type RetentionDeps = Pick<Deps, 'db' | 'privacy' | 'photos' | 'logger'>

/**
 * Keeps the privacy notice's promise: three years after a case ended (and nothing happened on it
 * since), the resident's name, phone and its keyed hash, the description and address they wrote,
 * and the photos are removed; what is left (category, county, business, figures, dates, the
 * handling record) serves statistics. A 12345 case also loses the caller's details in the stored
 * work orders, and hotline events that never became a case are dropped after the same time.
 *
 * Each batch is one transaction: the case is stamped, an internal timeline entry and an audit
 * entry are written, the private index is told through the outbox, and the photo files are
 * deleted before the commit, so a crash leaves either the whole case as it was (done again on
 * the next sweep) or nothing personal behind. Returns how many cases were erased.
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
  await deps.db
    .deleteFrom('hotlineInbox')
    .where('state', 'in', ['rejected', 'held'])
    .where('receivedAt', '<', retentionCutoff(now))
    .execute()
  if (erased > 0) deps.logger.info({ erased }, 'personal data past its retention period erased')
  return erased
}

function retentionCutoff(now: Date) {
  const cutoff = new Date(now)
  cutoff.setUTCFullYear(cutoff.getUTCFullYear() - retentionYears)
  return cutoff
}

async function eraseBatch(deps: RetentionDeps, now: Date, batchSize: number) {
  const cutoff = retentionCutoff(now)
  return deps.db.transaction().execute(async (trx) => {
    const due = await sql<{ id: string }>`
      SELECT c.id FROM complaints c
      WHERE c.status IN (${sql.join(endedStatuses)})
        AND c.personal_data_erased_at IS NULL
        AND c.received_at < ${cutoff}
        AND NOT EXISTS (
          SELECT 1 FROM complaint_events e WHERE e.complaint_id = c.id AND e.occurred_at >= ${cutoff}
        )
      ORDER BY c.id
      LIMIT ${batchSize}
      FOR UPDATE SKIP LOCKED
    `.execute(trx)
    const ids = due.rows.map((r) => r.id)
    if (ids.length === 0) return 0

    await trx
      .updateTable('complaints')
      .set({
        nameSealed: null,
        phoneSealed: null,
        phoneHash: null,
        piiKeyId: null,
        description: erasedText,
        address: erasedText,
        personalDataErasedAt: now,
        version: sql`version + 1`,
        updatedAt: now,
      })
      .where('id', 'in', ids)
      .execute()

    const tickets = await trx
      .updateTable('hotlineTickets')
      .set({ title: erasedText, updatedAt: now })
      .where('complaintId', 'in', ids)
      .returning(['ticketNo', 'complaintId'])
      .execute()
    for (const ticket of tickets) await redactTicket(deps, trx, ticket)

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

    const photos = await trx
      .deleteFrom('complaintPhotos')
      .where('complaintId', 'in', ids)
      .returning('storageKey')
      .execute()
    // Before the commit: a failure here rolls the case back, and the next sweep tries again
    // (deleting a file already gone is not an error).
    for (const photo of photos) await deps.photos.delete(photo.storageKey)
    return ids.length
  })
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
      // Sealed under a key no longer configured, or not JSON: it cannot be redacted, and past
      // its retention it may not be kept as it is.
      deps.logger.warn(
        // The error's name only: a parse error's message quotes the text it could not read.
        { webhookId: row.webhookId, err: error instanceof Error ? error.name : 'unknown' },
        'a stored 12345 event could not be redacted at the end of its retention; it is deleted',
      )
      await trx.deleteFrom('hotlineInbox').where('webhookId', '=', row.webhookId).execute()
      continue
    }
    await trx
      .updateTable('hotlineInbox')
      .set(redacted)
      .where('webhookId', '=', row.webhookId)
      .execute()
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
