import { sql, type Kysely } from 'kysely'
import type {
  ComplaintCategory,
  ComplaintKind,
  ComplaintPhotoTable,
  ComplaintStatus,
  Database,
  NewComplaint,
} from '../database.ts'

/** `n` fresh numbers of the tracking sequence in one round trip (never reused, even on rollback). */
export async function reserveTrackingSequence(db: Kysely<Database>, n: number): Promise<string[]> {
  const { rows } = await sql<{
    n: string
  }>`SELECT nextval('complaint_tracking_seq') AS n FROM generate_series(1, ${n})`.execute(db)
  return rows.map((r) => r.n)
}

export interface StoredIdempotentAnswer {
  requestHash: Buffer
  piiKeyId: string
  responseSealed: Buffer
}

export async function findIdempotentAnswer(
  db: Kysely<Database>,
  scope: string,
  key: string,
  notBefore: Date,
): Promise<StoredIdempotentAnswer | undefined> {
  return db
    .selectFrom('idempotencyKeys')
    .select(['requestHash', 'piiKeyId', 'responseSealed'])
    .where('scope', '=', scope)
    .where('key', '=', key)
    .where('createdAt', '>=', notBefore)
    .executeTakeFirst()
}

export async function deleteIdempotencyKeysBefore(db: Kysely<Database>, before: Date) {
  const result = await db.deleteFrom('idempotencyKeys').where('createdAt', '<', before).execute()
  return Number(result[0]?.numDeletedRows ?? 0)
}

/**
 * Adds one hit to each bucket's fixed window and returns the windows' totals, in one statement,
 * so the limits hold across any number of app instances sharing the database.
 */
export async function addRateLimitHits(
  db: Kysely<Database>,
  hits: readonly { bucket: string; windowStart: Date }[],
): Promise<Map<string, number>> {
  if (hits.length === 0) return new Map()
  const rows = await db
    .insertInto('rateLimitHits')
    .values(hits.map((h) => ({ ...h, hits: 1 })))
    .onConflict((oc) =>
      oc
        .columns(['bucket', 'windowStart'])
        .doUpdateSet((eb) => ({ hits: eb('rateLimitHits.hits', '+', 1) })),
    )
    .returning(['bucket', 'hits'])
    .execute()
  return new Map(rows.map((r) => [r.bucket, r.hits]))
}

export async function rateLimitHits(
  db: Kysely<Database>,
  bucket: string,
  windowStart: Date,
): Promise<number> {
  const row = await db
    .selectFrom('rateLimitHits')
    .select('hits')
    .where('bucket', '=', bucket)
    .where('windowStart', '=', windowStart)
    .executeTakeFirst()
  return row?.hits ?? 0
}

export async function deleteRateLimitWindowsBefore(db: Kysely<Database>, before: Date) {
  await db.deleteFrom('rateLimitHits').where('windowStart', '<', before).execute()
}

/** What the tracking page may show: no personal data is selected here at all. */
export interface TrackedComplaint {
  id: string
  trackingNo: string
  queryCodeHash: Buffer
  kind: ComplaintKind
  category: ComplaintCategory
  status: ComplaintStatus
  receivedAt: Date
  dueAt: Date
}

export async function findTrackedComplaint(
  db: Kysely<Database>,
  trackingNo: string,
): Promise<TrackedComplaint | undefined> {
  return db
    .selectFrom('complaints')
    .select([
      'id',
      'trackingNo',
      'queryCodeHash',
      'kind',
      'category',
      'status',
      'receivedAt',
      'dueAt',
    ])
    .where('trackingNo', '=', trackingNo)
    .executeTakeFirst()
}

export async function publicTimeline(db: Kysely<Database>, complaintId: string) {
  return db
    .selectFrom('complaintEvents')
    .select(['kind', 'note', 'occurredAt'])
    .where('complaintId', '=', complaintId)
    .where('isPublic', '=', true)
    .orderBy('occurredAt')
    .orderBy('id')
    .execute()
}

/** Complaint rows as the private search index holds them: no name, phone or phone hash. */
export async function complaintsForIndex(db: Kysely<Database>, ids: readonly string[]) {
  if (ids.length === 0) return []
  return db
    .selectFrom('complaints as c')
    .innerJoin('counties as co', 'co.code', 'c.countyCode')
    .select([
      'c.id',
      'c.trackingNo',
      'c.kind',
      'c.category',
      'c.channel',
      'c.countyCode',
      'co.name as countyName',
      'c.merchantName',
      'c.merchantUscc',
      'c.enterpriseUscc',
      'c.address',
      'c.description',
      'c.status',
      'c.receivedAt',
      'c.dueAt',
    ])
    .where('c.id', 'in', ids)
    .execute()
}

export type IndexedComplaintRow = Awaited<ReturnType<typeof complaintsForIndex>>[number]

/** Ids in order, a page at a time, for rebuilding the private index. */
export async function complaintIdsAfter(db: Kysely<Database>, afterId: string, limit: number) {
  const rows = await db
    .selectFrom('complaints')
    .select('id')
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute()
  return rows.map((r) => r.id)
}

export async function countComplaints(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('complaints')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/** Ids of complaints written at or after `since` (for a rebuild's catch-up). */
export async function complaintIdsChangedSince(db: Kysely<Database>, since: Date) {
  const rows = await db
    .selectFrom('complaints')
    .select('id')
    .where('updatedAt', '>=', since)
    .orderBy('id')
    .execute()
  return rows.map((r) => r.id)
}

export interface AtomicIntake {
  row: NewComplaint
  /** The certified business the resident named, to link and count if it is in the directory. */
  merchantUscc: string | null
  event: { kind: string; note: string; actor: string }
  /** The complaint's photos, numbered from 1; the complaint id is filled in by the database. */
  photos: Omit<ComplaintPhotoTable, 'id' | 'complaintId'>[]
  outboxTopic: string
  limits: { bucket: string; windowStart: Date; max: number }[]
  idempotency: {
    scope: string
    key: string
    requestHash: Buffer
    piiKeyId: string
    responseSealed: Buffer
  }
}

/**
 * Files a complaint in ONE statement, the `file_complaint` function (one round trip, atomic
 * without an explicit transaction; see its migration):
 * counts the abuse-limit hits, and only if every limit holds inserts the complaint (linked to its
 * business, whose count goes up), its first timeline entry, its photos, the outbox message and the
 * idempotency record. A key already claimed raises a unique violation on idempotency_keys, so the
 * whole statement, complaint included, is undone. Returns the new id, or the limit that refused.
 */
export async function fileComplaintAtomically(
  db: Kysely<Database>,
  intake: AtomicIntake,
): Promise<{ id: string } | { refusedBy: string }> {
  const r = intake.row
  const p = intake.photos
  const k = intake.idempotency
  const { rows } = await sql<{ filedId: string | null; refusedBy: string | null }>`
    SELECT filed_id, refused_by FROM file_complaint(
      ${r.trackingNo}, ${r.queryCodeHash}, ${r.kind}, ${r.category}, ${r.countyCode},
      ${r.merchantName}, ${intake.merchantUscc}, ${r.address}, ${r.occurredAt}, ${r.description},
      ${r.piiKeyId ?? null}, ${r.nameSealed ?? null}, ${r.phoneSealed ?? null},
      ${r.phoneHash ?? null}, ${r.claimedQuantity ?? null}, ${r.measuredQuantity ?? null},
      ${r.unit ?? null}, ${r.unitPrice ?? null}, ${r.shortfallAmount ?? null},
      ${r.receivedAt ?? new Date()}, ${r.dueAt},
      ${intake.event.kind}, ${intake.event.note}, ${intake.event.actor},
      ${p.map((x) => x.position)}::int[], ${p.map((x) => x.storageKey)}::text[],
      ${p.map((x) => x.contentType)}::text[], ${p.map((x) => x.sizeBytes)}::int[],
      ${p.map((x) => x.sha256)}::text[], ${p.map((x) => x.originalName)}::text[],
      ${intake.outboxTopic},
      ${intake.limits.map((l) => l.bucket)}::text[],
      ${intake.limits.map((l) => l.windowStart.toISOString())}::timestamptz[],
      ${intake.limits.map((l) => l.max)}::int[],
      ${k.scope}, ${k.key}, ${k.requestHash}, ${k.piiKeyId}, ${k.responseSealed}
    )
  `.execute(db)
  const result = rows[0]!
  if (result.filedId !== null) return { id: result.filedId }
  return { refusedBy: result.refusedBy ?? 'unknown' }
}

/** Removes an idempotency record that is past its time, so its key can be claimed again. */
export async function deleteIdempotencyKeyBefore(
  db: Kysely<Database>,
  scope: string,
  key: string,
  before: Date,
) {
  const result = await db
    .deleteFrom('idempotencyKeys')
    .where('scope', '=', scope)
    .where('key', '=', key)
    .where('createdAt', '<', before)
    .executeTakeFirst()
  return Number(result.numDeletedRows) > 0
}
