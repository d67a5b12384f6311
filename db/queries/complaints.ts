import { sql, type Kysely } from 'kysely'
import type {
  ComplaintCategory,
  ComplaintKind,
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
  photos: {
    position: number
    storageKey: string
    contentType: string
    sizeBytes: number
    sha256: string
    originalName: string
  }[]
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
 * Files a complaint in ONE statement (one round trip, atomic without an explicit transaction):
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
  const { rows } = await sql<{ id: string | null; refusedBy: string | null }>`
    WITH limits AS (
      INSERT INTO rate_limit_hits (bucket, window_start, hits)
      SELECT b, w, 1
      FROM unnest(${intake.limits.map((l) => l.bucket)}::text[],
                  ${intake.limits.map((l) => l.windowStart.toISOString())}::timestamptz[]) AS t (b, w)
      ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limit_hits.hits + 1
      RETURNING bucket, hits
    ),
    refused AS (
      SELECT l.bucket
      FROM limits l
      JOIN unnest(${intake.limits.map((l) => l.bucket)}::text[],
                  ${intake.limits.map((l) => l.max)}::int[]) AS m (b, mx) ON m.b = l.bucket
      WHERE l.hits > m.mx
      LIMIT 1
    ),
    c AS (
      INSERT INTO complaints (
        tracking_no, query_code_hash, kind, category, county_code, merchant_name, merchant_uscc,
        enterprise_uscc, address, occurred_at, description, pii_key_id, name_sealed, phone_sealed,
        phone_hash, claimed_quantity, measured_quantity, unit, unit_price, shortfall_amount,
        received_at, due_at
      )
      SELECT
        ${r.trackingNo}, ${r.queryCodeHash}, ${r.kind}, ${r.category}, ${r.countyCode},
        ${r.merchantName}, ${r.merchantUscc ?? null},
        (SELECT uscc FROM enterprises WHERE uscc = ${intake.merchantUscc}),
        ${r.address}, ${r.occurredAt}, ${r.description}, ${r.piiKeyId ?? null},
        ${r.nameSealed ?? null}, ${r.phoneSealed ?? null}, ${r.phoneHash ?? null},
        ${r.claimedQuantity ?? null}::numeric, ${r.measuredQuantity ?? null}::numeric,
        ${r.unit ?? null}, ${r.unitPrice ?? null}::numeric, ${r.shortfallAmount ?? null}::numeric,
        ${r.receivedAt ?? new Date()}, ${r.dueAt}
      WHERE NOT EXISTS (SELECT 1 FROM refused)
      RETURNING id, enterprise_uscc
    ),
    counted AS (
      UPDATE enterprises SET complaint_count = complaint_count + 1
      WHERE uscc = (SELECT enterprise_uscc FROM c)
      RETURNING uscc
    ),
    e AS (
      INSERT INTO complaint_events (complaint_id, kind, is_public, note, actor)
      SELECT id, ${intake.event.kind}, true, ${intake.event.note}, ${intake.event.actor} FROM c
    ),
    p AS (
      INSERT INTO complaint_photos
        (complaint_id, position, storage_key, content_type, size_bytes, sha256, original_name)
      SELECT c.id, x.position, x.storage_key, x.content_type, x.size_bytes, x.sha256, x.original_name
      FROM c, unnest(
        ${intake.photos.map((p) => p.position)}::int[],
        ${intake.photos.map((p) => p.storageKey)}::text[],
        ${intake.photos.map((p) => p.contentType)}::text[],
        ${intake.photos.map((p) => p.sizeBytes)}::int[],
        ${intake.photos.map((p) => p.sha256)}::text[],
        ${intake.photos.map((p) => p.originalName)}::text[]
      ) AS x (position, storage_key, content_type, size_bytes, sha256, original_name)
    ),
    o AS (
      INSERT INTO outbox (topic, aggregate_key, payload)
      SELECT ${intake.outboxTopic}, 'complaint:' || id, jsonb_build_object('id', id::text) FROM c
    ),
    k AS (
      INSERT INTO idempotency_keys
        (scope, key, request_hash, complaint_id, pii_key_id, response_sealed)
      SELECT ${intake.idempotency.scope}, ${intake.idempotency.key},
             ${intake.idempotency.requestHash}, id, ${intake.idempotency.piiKeyId},
             ${intake.idempotency.responseSealed}
      FROM c
    )
    SELECT (SELECT id FROM c) AS id, (SELECT bucket FROM refused) AS refused_by
  `.execute(db)
  const result = rows[0]!
  if (result.id !== null) return { id: result.id }
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
