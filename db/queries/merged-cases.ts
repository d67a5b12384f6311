import { sql, type Kysely, type Transaction } from 'kysely'
import {
  openComplaintStatuses,
  type ComplaintChannel,
  type ComplaintKind,
} from '../../api/domain/complaints.ts'
import type { WarningSubjectKind } from '../../api/domain/warnings.ts'
import type { ComplaintStatus, Database } from '../database.ts'

// 合并办理 and 同一单位的其他投诉举报 (issue 25, item 4): the cases that name one business or place,
// read through complaint_subjects (the subjects early warning files every complaint under).

const openStatuses: readonly ComplaintStatus[] = openComplaintStatuses

export interface SubjectKey {
  kind: WarningSubjectKind
  key: string
}

/**
 * How many cases naming the subject are being handled: open ones, and those merged into an open
 * one, received since `since`. complaint_subjects_window_idx finds them, the primary key the rest.
 */
export async function countCasesBeingHandled(
  db: Kysely<Database>,
  subject: SubjectKey,
  since: Date,
): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM complaint_subjects cs
    JOIN complaints c ON c.id = cs.complaint_id
    LEFT JOIN complaints p ON p.id = c.merged_into
    WHERE cs.subject_kind = ${subject.kind} AND cs.subject_key = ${subject.key}
      AND cs.received_at >= ${since}
      AND coalesce(p.status, c.status) IN (${sql.join(openStatuses)})
  `.execute(db)
  return rows[0]?.n ?? 0
}

/** A case another one may duplicate, with which of the subjects it shares. */
export interface DuplicateCandidateRow {
  id: string
  trackingNo: string
  kind: ComplaintKind
  channel: ComplaintChannel
  status: ComplaintStatus
  countyCode: string
  merchantName: string
  address: string
  description: string
  receivedAt: Date
  sharedKinds: WarningSubjectKind[]
}

/**
 * Open cases other than `id` received within `from`–`to` that share one of `subjects`, in
 * `county` (null: any), the latest first, at most `limit`.
 */
export async function duplicateCandidates(
  db: Kysely<Database>,
  c: {
    id: string
    subjects: readonly SubjectKey[]
    from: Date
    to: Date
    county: string | null
    limit: number
  },
): Promise<DuplicateCandidateRow[]> {
  if (c.subjects.length === 0) return []
  const { rows } = await sql<DuplicateCandidateRow>`
    SELECT c.id::text AS id, c.tracking_no AS "trackingNo", c.kind, c.channel, c.status,
      c.county_code AS "countyCode", c.merchant_name AS "merchantName", c.address, c.description,
      c.received_at AS "receivedAt", array_agg(DISTINCT cs.subject_kind) AS "sharedKinds"
    FROM complaint_subjects cs
    JOIN complaints c ON c.id = cs.complaint_id
    WHERE (cs.subject_kind, cs.subject_key) IN (${sql.join(
      c.subjects.map((s) => sql`(${s.kind}, ${s.key})`),
    )})
      AND cs.received_at BETWEEN ${c.from} AND ${c.to}
      AND c.id <> ${c.id}
      AND c.status IN (${sql.join(openStatuses)})
      ${c.county === null ? sql`` : sql`AND c.county_code = ${c.county}`}
    GROUP BY c.id
    ORDER BY c.received_at DESC, c.id DESC
    LIMIT ${c.limit}
  `.execute(db)
  return rows
}

/** The tracking number of a case, by id. */
export async function trackingNoOf(db: Kysely<Database>, id: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('complaints')
    .select('trackingNo')
    .where('id', '=', id)
    .executeTakeFirst()
  return row?.trackingNo
}

/** The cases merged into `id`, the earliest first. */
export async function casesMergedInto(db: Kysely<Database>, id: string) {
  return db
    .selectFrom('complaints')
    .select(['id', 'trackingNo', 'channel', 'receivedAt', 'mergedAt'])
    .where('mergedInto', '=', id)
    .orderBy('mergedAt')
    .orderBy('id')
    .execute()
}

/** What a merge decides on, for both cases, locked in id order (two merges never deadlock). */
export async function lockCasesForMerge(trx: Transaction<Database>, ids: readonly string[]) {
  return trx
    .selectFrom('complaints')
    .select([
      'id',
      'trackingNo',
      'kind',
      'channel',
      'status',
      'countyCode',
      'version',
      'mergedInto',
    ])
    .where('id', 'in', ids)
    .orderBy('id')
    .forUpdate()
    .execute()
}

/**
 * The duplicate becomes `merged` into `into`, with its next version; cases merged into it before
 * follow it to `into`. Returns the ids that followed.
 */
export async function markMerged(
  trx: Transaction<Database>,
  row: { id: string; into: string; at: Date },
): Promise<string[]> {
  await trx
    .updateTable('complaints')
    .set((eb) => ({
      status: 'merged',
      mergedInto: row.into,
      mergedAt: row.at,
      version: eb('version', '+', 1),
      updatedAt: row.at,
    }))
    .where('id', '=', row.id)
    .execute()
  const followed = await trx
    .updateTable('complaints')
    .set((eb) => ({ mergedInto: row.into, version: eb('version', '+', 1), updatedAt: row.at }))
    .where('mergedInto', '=', row.id)
    .returning('id')
    .execute()
  return followed.map((r) => r.id)
}

/** The web cases merged into `id` whose residents are told of its handling by SMS. */
export async function mergedWebCaseIds(trx: Transaction<Database>, id: string): Promise<string[]> {
  const rows = await trx
    .selectFrom('complaints')
    .select('id')
    .where('mergedInto', '=', id)
    .where('channel', '=', 'web')
    .execute()
  return rows.map((r) => r.id)
}
