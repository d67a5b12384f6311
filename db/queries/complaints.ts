import { sql, type Kysely, type Transaction } from 'kysely'
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

/**
 * Inserts a complaint, its first timeline entry and the outbox message that will index it, in one
 * statement (one round trip); the caller's transaction makes them one unit with what follows.
 */
export async function insertComplaintWithEvent(
  trx: Transaction<Database>,
  row: NewComplaint,
  event: { kind: string; isPublic: boolean; note: string; actor: string },
  outbox: { topic: string; aggregateKeyPrefix: string },
) {
  return trx
    .with('c', (qb) =>
      qb
        .insertInto('complaints')
        .values(row)
        .returning(['id', 'trackingNo', 'status', 'dueAt', 'receivedAt']),
    )
    .with('e', (qb) =>
      qb
        .insertInto('complaintEvents')
        .columns(['complaintId', 'kind', 'isPublic', 'note', 'actor'])
        .expression((eb) =>
          eb
            .selectFrom('c')
            .select([
              'c.id',
              sql.val(event.kind).as('kind'),
              sql.val(event.isPublic).as('isPublic'),
              sql.val(event.note).as('note'),
              sql.val(event.actor).as('actor'),
            ]),
        ),
    )
    .with('o', (qb) =>
      qb
        .insertInto('outbox')
        .columns(['topic', 'aggregateKey', 'payload'])
        .expression((eb) =>
          eb
            .selectFrom('c')
            .select([
              sql.val(outbox.topic).as('topic'),
              sql<string>`${outbox.aggregateKeyPrefix} || c.id`.as('aggregateKey'),
              sql<string>`jsonb_build_object('id', c.id::text)`.as('payload'),
            ]),
        ),
    )
    .selectFrom('c')
    .selectAll()
    .executeTakeFirstOrThrow()
}

export async function insertComplaintEvent(
  trx: Transaction<Database>,
  event: { complaintId: string; kind: string; isPublic: boolean; note: string; actor: string },
) {
  await trx.insertInto('complaintEvents').values(event).execute()
}

export async function insertComplaintPhotos(
  trx: Transaction<Database>,
  photos: {
    complaintId: string
    position: number
    storageKey: string
    contentType: string
    sizeBytes: number
    sha256: string
    originalName: string
  }[],
) {
  if (photos.length > 0) await trx.insertInto('complaintPhotos').values(photos).execute()
}

/**
 * Counts a complaint against the certified business it names. Returns false when the code is not
 * in the directory (the complaint then stays unlinked).
 */
export async function countComplaintAgainst(
  trx: Transaction<Database>,
  uscc: string,
): Promise<boolean> {
  const updated = await trx
    .updateTable('enterprises')
    .set((eb) => ({ complaintCount: eb('complaintCount', '+', 1) }))
    .where('uscc', '=', uscc)
    .returning('uscc')
    .executeTakeFirst()
  return updated !== undefined
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

/**
 * Claims a key inside the intake transaction, in one statement. A concurrent claim of the same key
 * waits on the unique index until the first commits, then gets false here: its transaction rolls
 * back and it answers with the first result. An expired claim is taken over.
 */
export async function claimIdempotencyKey(
  trx: Transaction<Database>,
  row: {
    scope: string
    key: string
    requestHash: Buffer
    complaintId: string
    piiKeyId: string
    responseSealed: Buffer
  },
  notBefore: Date,
): Promise<boolean> {
  const claimed = await trx
    .insertInto('idempotencyKeys')
    .values(row)
    .onConflict((oc) =>
      oc
        .columns(['scope', 'key'])
        .doUpdateSet((eb) => ({
          requestHash: eb.ref('excluded.requestHash'),
          complaintId: eb.ref('excluded.complaintId'),
          piiKeyId: eb.ref('excluded.piiKeyId'),
          responseSealed: eb.ref('excluded.responseSealed'),
          createdAt: sql<Date>`now()`,
        }))
        .where('idempotencyKeys.createdAt', '<', notBefore),
    )
    .returning('key')
    .executeTakeFirst()
  return claimed !== undefined
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
