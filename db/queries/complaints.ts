import { sql, type Kysely, type Transaction } from 'kysely'
import type {
  ComplaintCategory,
  ComplaintChannel,
  ComplaintKind,
  ComplaintPhotoTable,
  ComplaintStatus,
  Database,
  NewComplaint,
  ResidentRating,
} from '../database.ts'

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

/** How the totals of addRateLimitCounts are keyed: a bucket's window. */
export const rateLimitKey = (w: { bucket: string; windowStart: Date }) =>
  `${w.bucket}@${w.windowStart.getTime()}`

/**
 * Adds one hit to each bucket's fixed window and returns the windows' totals, in one statement,
 * so the limits hold across any number of app instances sharing the database.
 */
export async function addRateLimitHits(
  db: Kysely<Database>,
  hits: readonly { bucket: string; windowStart: Date }[],
): Promise<Map<string, number>> {
  const totals = await addRateLimitCounts(
    db,
    hits.map((h) => ({ ...h, hits: 1 })),
  )
  return new Map(hits.map((h) => [h.bucket, totals.get(rateLimitKey(h)) ?? 1]))
}

/**
 * Adds counted hits to their buckets' windows, in one statement, and returns every window's total
 * (with other instances' hits), keyed by rateLimitKey (limits/search-limit.ts).
 */
export async function addRateLimitCounts(
  db: Kysely<Database>,
  counts: readonly { bucket: string; windowStart: Date; hits: number }[],
): Promise<Map<string, number>> {
  if (counts.length === 0) return new Map()
  const rows = await db
    .insertInto('rateLimitHits')
    .values([...counts])
    .onConflict((oc) =>
      oc
        .columns(['bucket', 'windowStart'])
        .doUpdateSet((eb) => ({ hits: eb('rateLimitHits.hits', '+', eb.ref('excluded.hits')) })),
    )
    .returning(['bucket', 'windowStart', 'hits'])
    .execute()
  return new Map(rows.map((r) => [rateLimitKey(r), r.hits]))
}

/** Takes one hit off each bucket's window (a refund), never below zero, in one statement. */
export async function subtractRateLimitHits(
  db: Kysely<Database>,
  windows: readonly { bucket: string; windowStart: Date }[],
) {
  if (windows.length === 0) return
  await sql`
    UPDATE rate_limit_hits AS r SET hits = r.hits - 1
    FROM unnest(
      ${windows.map((w) => w.bucket)}::text[],
      ${windows.map((w) => w.windowStart.toISOString())}::timestamptz[]
    ) AS t (bucket, window_start)
    WHERE r.bucket = t.bucket AND r.window_start = t.window_start AND r.hits > 0
  `.execute(db)
}

export async function deleteRateLimitWindowsBefore(db: Kysely<Database>, before: Date) {
  await db.deleteFrom('rateLimitHits').where('windowStart', '<', before).execute()
}

/** What the tracking page may show: no personal data is selected here at all. */
/**
 * A case as its resident's tracking page reads it. A case merged into another (合并办理) is handled
 * as that one: `status`, `dueAt`, `resolvedAt` and `closedAt` are the handled case's, `handledId`
 * names it; the rating and review are the resident's own.
 */
export interface TrackedComplaint {
  id: string
  trackingNo: string
  queryCodeHash: Buffer
  kind: ComplaintKind
  category: ComplaintCategory
  status: ComplaintStatus
  channel: ComplaintChannel
  receivedAt: Date
  dueAt: Date
  resolvedAt: Date | null
  closedAt: Date | null
  rating: ResidentRating | null
  reviewRequestedAt: Date | null
  /** The case that is handled for this one: itself, or the one it was merged into. */
  handledId: string
  mergedAt: Date | null
}

export async function findTrackedComplaint(
  db: Kysely<Database>,
  trackingNo: string,
): Promise<TrackedComplaint | undefined> {
  return db
    .selectFrom('complaints as c')
    .leftJoin('complaints as p', 'p.id', 'c.mergedInto')
    .select((eb) => [
      'c.id',
      'c.trackingNo',
      'c.queryCodeHash',
      'c.kind',
      'c.category',
      eb.fn.coalesce('p.status', 'c.status').as('status'),
      'c.channel',
      'c.receivedAt',
      eb.fn.coalesce('p.dueAt', 'c.dueAt').as('dueAt'),
      eb.fn.coalesce('p.resolvedAt', 'c.resolvedAt').as('resolvedAt'),
      eb.fn.coalesce('p.closedAt', 'c.closedAt').as('closedAt'),
      'c.rating',
      'c.reviewRequestedAt',
      eb.fn.coalesce('p.id', 'c.id').as('handledId'),
      'c.mergedAt',
    ])
    .where('c.trackingNo', '=', trackingNo)
    .executeTakeFirst()
}

/**
 * The timeline a resident reads: their case's public entries and, once it was merged into
 * another, that case's public entries since the merge, except the other resident's own (a rating,
 * a review they asked for).
 */
export async function publicTimeline(
  db: Kysely<Database>,
  c: { id: string; handledId: string; mergedAt: Date | null },
) {
  let q = db
    .selectFrom('complaintEvents')
    .select(['kind', 'note', 'occurredAt'])
    .where('isPublic', '=', true)
  q =
    c.mergedAt === null
      ? q.where('complaintId', '=', c.id)
      : q.where((eb) =>
          eb.or([
            eb('complaintId', '=', c.id),
            eb.and([
              eb('complaintId', '=', c.handledId),
              eb('occurredAt', '>=', c.mergedAt!),
              eb('actor', '<>', 'citizen'),
            ]),
          ]),
        )
  return q.orderBy('occurredAt').orderBy('id').execute()
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
      'c.priority',
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
  limits: { bucket: string; windowStart: Date; max: number }[]
  idempotency: {
    scope: string
    key: string
    requestHash: Buffer
    piiKeyId: string
    responseSealed: Buffer
  }
}

export type IntakeOutcome =
  | { filed: true; id: string }
  | { filed: false; refusedBy: string }
  | { filed: false; duplicate: true }
  /** Another complaint has its (random) tracking number: file it again under a new one. */
  | { filed: false; trackingNoTaken: true }

/**
 * Files complaints in ONE statement, the `file_complaints` function (one round trip and one
 * commit for all of them; see its migration). For each complaint in order: claims its idempotency
 * key (already claimed: "duplicate"), counts its abuse-limit hits (one over its maximum refuses
 * it), and the rest are inserted with their business linked and counted, first timeline entries,
 * photos and outbox messages; one whose tracking number is already taken is not filed, and its key
 * and hits are given back ("trackingNoTaken"). Returns one outcome per intake, in the same order.
 */
export async function fileComplaintsAtomically(
  db: Kysely<Database>,
  intakes: readonly AtomicIntake[],
  /** The topic of each filed complaint's outbox message. */
  outboxTopic: string,
): Promise<IntakeOutcome[]> {
  const each = <T>(pick: (intake: AtomicIntake) => T) => intakes.map(pick)
  const rows = intakes.map((i) => i.row)
  const col = <T>(pick: (row: NewComplaint) => T) => rows.map(pick)
  const photos = intakes.flatMap((intake, i) => intake.photos.map((p) => ({ item: i + 1, ...p })))
  const limits = intakes.flatMap((intake, i) => intake.limits.map((l) => ({ item: i + 1, ...l })))
  const result = await sql<{
    item: number
    filedId: string | null
    refusedBy: string | null
    duplicate: boolean
    trackingNoTaken: boolean
  }>`
    SELECT item, filed_id, refused_by, duplicate, tracking_no_taken FROM file_complaints(
      ${col((r) => r.trackingNo)}::text[], ${col((r) => r.queryCodeHash)}::bytea[],
      ${col((r) => r.kind)}::text[], ${col((r) => r.category)}::text[],
      ${col((r) => r.countyCode)}::text[], ${col((r) => r.merchantName)}::text[],
      ${each((i) => i.merchantUscc)}::text[], ${col((r) => r.address)}::text[],
      ${col((r) => r.occurredAt)}::timestamptz[], ${col((r) => r.description)}::text[],
      ${col((r) => r.piiKeyId ?? null)}::text[], ${col((r) => r.nameSealed ?? null)}::bytea[],
      ${col((r) => r.phoneSealed ?? null)}::bytea[], ${col((r) => r.phoneHash ?? null)}::bytea[],
      ${col((r) => r.claimedQuantity ?? null)}::numeric[],
      ${col((r) => r.measuredQuantity ?? null)}::numeric[], ${col((r) => r.unit ?? null)}::text[],
      ${col((r) => r.unitPrice ?? null)}::numeric[],
      ${col((r) => r.shortfallAmount ?? null)}::numeric[],
      ${col((r) => r.receivedAt ?? new Date())}::timestamptz[], ${col((r) => r.dueAt)}::timestamptz[],
      ${each((i) => i.event.kind)}::text[], ${each((i) => i.event.note)}::text[],
      ${each((i) => i.event.actor)}::text[],
      ${photos.map((p) => p.item)}::int[], ${photos.map((p) => p.position)}::int[],
      ${photos.map((p) => p.storageKey)}::text[], ${photos.map((p) => p.contentType)}::text[],
      ${photos.map((p) => p.sizeBytes)}::int[], ${photos.map((p) => p.sha256)}::text[],
      ${photos.map((p) => p.originalName)}::text[],
      ${outboxTopic},
      ${limits.map((l) => l.item)}::int[], ${limits.map((l) => l.bucket)}::text[],
      ${limits.map((l) => l.windowStart.toISOString())}::timestamptz[],
      ${limits.map((l) => l.max)}::int[],
      ${each((i) => i.idempotency.scope)}::text[], ${each((i) => i.idempotency.key)}::text[],
      ${each((i) => i.idempotency.requestHash)}::bytea[],
      ${each((i) => i.idempotency.piiKeyId)}::text[],
      ${each((i) => i.idempotency.responseSealed)}::bytea[],
      ${col((r) => r.smsUpdates ?? false)}::boolean[]
    )
  `.execute(db)
  const outcomes: (IntakeOutcome | undefined)[] = intakes.map(() => undefined)
  for (const r of result.rows) {
    outcomes[r.item - 1] =
      r.filedId !== null
        ? { filed: true, id: r.filedId }
        : r.duplicate
          ? { filed: false, duplicate: true }
          : r.trackingNoTaken
            ? { filed: false, trackingNoTaken: true }
            : { filed: false, refusedBy: r.refusedBy ?? 'unknown' }
  }
  return outcomes.map((o, i) => {
    if (!o) throw new Error(`file_complaints returned no outcome for item ${i + 1}`)
    return o
  })
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

/** Which of these stored photo files a complaint refers to. */
export async function referencedPhotoKeys(
  db: Kysely<Database>,
  storageKeys: readonly string[],
): Promise<Set<string>> {
  const rows = await db
    .selectFrom('complaintPhotos')
    .select('storageKey')
    .where('storageKey', 'in', storageKeys)
    .execute()
  return new Set(rows.map((r) => r.storageKey))
}

/** A resident's rating, once: false when the case was rated meanwhile. */
export async function storeRating(
  trx: Transaction<Database>,
  row: {
    id: string
    rating: ResidentRating
    commentSealed: Buffer | null
    keyId: string | null
    at: Date
  },
): Promise<boolean> {
  const result = await trx
    .updateTable('complaints')
    .set({
      rating: row.rating,
      ratingCommentSealed: row.commentSealed,
      ratingKeyId: row.keyId,
      ratedAt: row.at,
    })
    .where('id', '=', row.id)
    .where('rating', 'is', null)
    .executeTakeFirst()
  return result.numUpdatedRows === 1n
}

/**
 * 申请复核, once per resident: the handled case goes back to the queue as `review` with its own
 * deadline and a new version (a case merged into another asks for the one handled for it, which
 * may already be under review at another resident's request). False when it was asked for
 * meanwhile, or the case is no longer handled.
 */
export async function reopenForReview(
  trx: Transaction<Database>,
  row: { id: string; handledId: string; dueAt: Date; at: Date },
): Promise<boolean> {
  const merged = row.handledId !== row.id
  const reopen = { status: 'review', dueAt: row.dueAt, updatedAt: row.at } as const
  const asked = await trx
    .updateTable('complaints')
    .set((eb) => ({
      ...(merged ? {} : reopen),
      reviewRequestedAt: row.at,
      version: eb('version', '+', 1),
    }))
    .where('id', '=', row.id)
    .where('reviewRequestedAt', 'is', null)
    .where('rating', '=', 'unsatisfied')
    .$if(!merged, (q) => q.where('status', 'in', ['resolved', 'closed']))
    .executeTakeFirst()
  if (asked.numUpdatedRows !== 1n) return false
  if (merged) {
    await trx
      .updateTable('complaints')
      .set((eb) => ({ ...reopen, version: eb('version', '+', 1) }))
      .where('id', '=', row.handledId)
      .where('status', 'in', ['resolved', 'closed'])
      .execute()
  }
  return true
}
