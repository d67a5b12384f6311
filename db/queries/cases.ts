import { sql, type Kysely, type Transaction, type Updateable } from 'kysely'
import { openComplaintStatuses } from '../../api/domain/complaints.ts'
import type {
  ComplaintCategory,
  ComplaintChannel,
  ComplaintKind,
  ComplaintStatus,
  ComplaintTable,
  Database,
} from '../database.ts'

/** The queue's filters; `county` null means every county. */
export interface QueueFilter {
  county: string | null
  status?: ComplaintStatus | undefined
  category?: ComplaintCategory | undefined
  kind?: ComplaintKind | undefined
  channel?: ComplaintChannel | undefined
  /** Only cases still open (received, accepted, in_progress) due in [from, before). */
  due?: { from?: Date | undefined; before: Date } | undefined
  /** Exactly this tracking number. */
  trackingNo?: string | undefined
  /** Substring of the tracking number, merchant or address (when the search index is down). */
  text?: string | undefined
  /** Substring of the tracking number only: the same fallback for who may not read the rest. */
  trackingNoLike?: string | undefined
}

const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (m) => `\\${m}`)}%`

const openStatuses: readonly ComplaintStatus[] = openComplaintStatuses

/** Cases with their county's name, as the queue lists them. */
function queueView(db: Kysely<Database>) {
  return db
    .selectFrom('complaints as c')
    .innerJoin('counties as co', 'co.code', 'c.countyCode')
    .select([
      'c.id',
      'c.trackingNo',
      'c.kind',
      'c.category',
      'c.status',
      'c.countyCode',
      'co.name as countyName',
      'c.channel',
      'c.merchantName',
      'c.receivedAt',
      'c.dueAt',
      'c.priority',
    ])
}

export type QueueRow = Awaited<ReturnType<ReturnType<typeof queueView>['execute']>>[number]

function filtered(db: Kysely<Database>, f: QueueFilter) {
  let q = queueView(db)
  if (f.county !== null) q = q.where('c.countyCode', '=', f.county)
  if (f.trackingNo) q = q.where('c.trackingNo', '=', f.trackingNo)
  if (f.status) q = q.where('c.status', '=', f.status)
  if (f.category) q = q.where('c.category', '=', f.category)
  if (f.kind) q = q.where('c.kind', '=', f.kind)
  if (f.channel) q = q.where('c.channel', '=', f.channel)
  if (f.due) {
    q = q.where('c.status', 'in', openStatuses).where('c.dueAt', '<', f.due.before)
    if (f.due.from) q = q.where('c.dueAt', '>=', f.due.from)
  }
  if (f.trackingNoLike) q = q.where('c.trackingNo', 'ilike', likePattern(f.trackingNoLike))
  if (f.text) {
    const like = likePattern(f.text)
    q = q.where((eb) =>
      eb.or([
        eb('c.trackingNo', 'ilike', like),
        eb('c.merchantName', 'ilike', like),
        eb('c.address', 'ilike', like),
      ]),
    )
  }
  return q
}

/**
 * One page of the queue, cases the 12345 hotline supervised (督办) or urged (催办) first, then
 * earliest due date first, and how many cases match in all.
 */
export async function listQueue(
  db: Kysely<Database>,
  filter: QueueFilter,
  page: { offset: number; limit: number },
): Promise<{ rows: QueueRow[]; total: number }> {
  const [rows, count] = await Promise.all([
    filtered(db, filter)
      .orderBy('c.priority', 'desc')
      .orderBy('c.dueAt')
      .orderBy('c.id')
      .offset(page.offset)
      .limit(page.limit)
      .execute(),
    filtered(db, filter)
      .clearSelect()
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow(),
  ])
  return { rows, total: Number(count.n) }
}

/** The queue rows of these ids that lie in `county` (null: any), in no particular order. */
export async function queueRowsByIds(
  db: Kysely<Database>,
  ids: readonly string[],
  county: string | null,
): Promise<QueueRow[]> {
  if (ids.length === 0) return []
  let q = queueView(db).where('c.id', 'in', ids)
  if (county !== null) q = q.where('c.countyCode', '=', county)
  return q.execute()
}

/** How many cases of each status `county` (null: every county) holds. */
export async function countByStatus(
  db: Kysely<Database>,
  county: string | null,
): Promise<Map<ComplaintStatus, number>> {
  let q = db
    .selectFrom('complaints')
    .select(['status', (eb) => eb.fn.countAll<string>().as('n')])
    .groupBy('status')
  if (county !== null) q = q.where('countyCode', '=', county)
  const rows = await q.execute()
  return new Map(rows.map((r) => [r.status, Number(r.n)]))
}

/** Every column of a case a handler sees, with county and certified business names. */
export async function findCase(db: Kysely<Database>, id: string) {
  return db
    .selectFrom('complaints as c')
    .innerJoin('counties as co', 'co.code', 'c.countyCode')
    .leftJoin('enterprises as e', 'e.uscc', 'c.enterpriseUscc')
    .selectAll('c')
    .select(['co.name as countyName', 'e.name as enterpriseName'])
    .where('c.id', '=', id)
    .executeTakeFirst()
}

export type CaseRow = NonNullable<Awaited<ReturnType<typeof findCase>>>

/** The whole timeline, public and internal, oldest first. */
export async function caseTimeline(db: Kysely<Database>, complaintId: string) {
  return db
    .selectFrom('complaintEvents')
    .select(['id', 'kind', 'isPublic', 'note', 'actor', 'occurredAt'])
    .where('complaintId', '=', complaintId)
    .orderBy('occurredAt')
    .orderBy('id')
    .execute()
}

export async function casePhotos(db: Kysely<Database>, complaintId: string) {
  return db
    .selectFrom('complaintPhotos')
    .select(['id', 'position', 'contentType'])
    .where('complaintId', '=', complaintId)
    .orderBy('position')
    .execute()
}

/** A photo with the county of its case, to decide who may see it. */
export async function findCasePhoto(db: Kysely<Database>, photoId: string) {
  return db
    .selectFrom('complaintPhotos as p')
    .innerJoin('complaints as c', 'c.id', 'p.complaintId')
    .select(['p.id', 'p.complaintId', 'p.storageKey', 'p.contentType', 'c.countyCode'])
    .where('p.id', '=', photoId)
    .executeTakeFirst()
}

/** What deciding on an action needs: the case's state and the version it was read at. */
export async function caseState(trx: Transaction<Database>, id: string) {
  return trx
    .selectFrom('complaints')
    .select([
      'id',
      'trackingNo',
      'kind',
      'status',
      'countyCode',
      'version',
      'dueAt',
      'personalDataErasedAt',
      'erasureHeldAt',
    ])
    .where('id', '=', id)
    .executeTakeFirst()
}

/**
 * Writes `changes` and the next version only if the case is still at `version`: false means
 * someone else changed it first (the row lock makes the second writer wait, then miss).
 */
export async function updateCaseAtVersion(
  trx: Transaction<Database>,
  id: string,
  version: number,
  changes: Updateable<ComplaintTable>,
): Promise<boolean> {
  const result = await trx
    .updateTable('complaints')
    .set({ ...changes, version: sql<number>`version + 1`, updatedAt: sql<Date>`now()` })
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst()
  return result.numUpdatedRows === 1n
}

export async function addCaseEvents(
  trx: Transaction<Database>,
  events: readonly {
    complaintId: string
    kind: string
    isPublic: boolean
    note: string
    actor: string
    occurredAt: Date
  }[],
) {
  if (events.length === 0) return
  await trx
    .insertInto('complaintEvents')
    .values([...events])
    .execute()
}
