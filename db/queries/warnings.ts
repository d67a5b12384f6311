import { sql, type Kysely, type Transaction } from 'kysely'
import type { Database, WarningThresholdTable } from '../database.ts'
import type { Selectable } from 'kysely'
import type { WarningRule, WarningSubjectKind } from '../../api/domain/warnings.ts'

type Db = Kysely<Database> | Transaction<Database>

/**
 * What detection reads of complaints: the fields subjects are made of and the 12345 ticket's
 * chasing. Never the name, the phone or the description.
 */
export async function subjectFactsOf(db: Db, ids: readonly string[]) {
  if (ids.length === 0) return []
  return db
    .selectFrom('complaints as c')
    .leftJoin('hotlineTickets as t', 't.complaintId', 'c.id')
    .select([
      'c.id',
      'c.countyCode',
      'c.category',
      'c.merchantName',
      'c.merchantUscc',
      'c.enterpriseUscc',
      'c.address',
      'c.receivedAt',
      't.ticketNo',
      't.urgeCount',
      't.supervisedAt',
    ])
    .where('c.id', '=', sql<string>`any(${ids}::bigint[])`)
    .execute()
}

/** Ids of complaints received in (from, to]: what the sweep looks at again. */
export async function complaintIdsReceivedBetween(db: Db, from: Date, to: Date) {
  const rows = await db
    .selectFrom('complaints')
    .select('id')
    .where('receivedAt', '>', from)
    .where('receivedAt', '<=', to)
    .execute()
  return rows.map((r) => r.id)
}

/** Cases of 12345 tickets urged twice or more, or supervised, whose last event is in (from, to]. */
export async function chasedTicketComplaintIds(db: Db, from: Date, to: Date) {
  const rows = await db
    .selectFrom('hotlineTickets')
    .select('complaintId')
    .where((eb) => eb.or([eb('urgeCount', '>=', 2), eb('supervisedAt', 'is not', null)]))
    .where('lastEventAt', '>', from)
    .where('lastEventAt', '<=', to)
    .execute()
  return rows.map((r) => r.complaintId)
}

export interface FiledSubject {
  complaintId: string
  subjectKind: WarningSubjectKind
  subjectKey: string
  countyCode: string
  receivedAt: Date
}

/**
 * Files complaints under their subjects; filing one again changes nothing. One statement of five
 * arrays, however many rows: a VALUES list of a batch's 5,000 rows was 25,000 parameters for
 * PostgreSQL to parse and plan each time.
 */
export async function fileUnderSubjects(db: Db, rows: readonly FiledSubject[]) {
  if (rows.length === 0) return
  await sql`
    INSERT INTO complaint_subjects (complaint_id, subject_kind, subject_key, county_code,
      received_at)
    SELECT * FROM unnest(${rows.map((r) => r.complaintId)}::bigint[],
      ${rows.map((r) => r.subjectKind)}::text[], ${rows.map((r) => r.subjectKey)}::text[],
      ${rows.map((r) => r.countyCode)}::char(6)[], ${rows.map((r) => r.receivedAt)}::timestamptz[])
    ON CONFLICT DO NOTHING
  `.execute(db)
}

export type WarningThreshold = Selectable<WarningThresholdTable>

export async function allThresholds(db: Db): Promise<WarningThreshold[]> {
  return db.selectFrom('warningThresholds').selectAll().execute()
}

/**
 * For each subject, in one statement: its complaints in the window ending at `now`, in the
 * `baselineHours` before that window, and in each of `extraHours` ending at `now` (the fixed
 * thresholds' windows). Each count is a range scan of complaint_subjects_window_idx.
 */
export async function subjectCounts(
  db: Db,
  subjects: readonly { kind: WarningSubjectKind; key: string }[],
  options: { now: Date; windowHours: number; baselineHours: number; extraHours: readonly number[] },
) {
  if (subjects.length === 0) return []
  const { now, windowHours, baselineHours, extraHours } = options
  const { rows } = await sql<{
    kind: WarningSubjectKind
    key: string
    windowCount: number
    baselineCount: number
    extraCounts: number[]
  }>`
    SELECT s.kind, s.key,
      (SELECT count(*)::int FROM complaint_subjects cs
        WHERE cs.subject_kind = s.kind AND cs.subject_key = s.key
          AND cs.received_at > ${now}::timestamptz - make_interval(hours => ${windowHours})
          AND cs.received_at <= ${now}::timestamptz) AS window_count,
      (SELECT count(*)::int FROM complaint_subjects cs
        WHERE cs.subject_kind = s.kind AND cs.subject_key = s.key
          AND cs.received_at > ${now}::timestamptz
            - make_interval(hours => ${windowHours + baselineHours})
          AND cs.received_at <= ${now}::timestamptz - make_interval(hours => ${windowHours})
      ) AS baseline_count,
      ARRAY(SELECT (SELECT count(*)::int FROM complaint_subjects cs
          WHERE cs.subject_kind = s.kind AND cs.subject_key = s.key
            AND cs.received_at > ${now}::timestamptz - make_interval(hours => h.hours)
            AND cs.received_at <= ${now}::timestamptz)
        FROM unnest(${extraHours}::int[]) WITH ORDINALITY AS h (hours, n) ORDER BY h.n
      ) AS extra_counts
    FROM unnest(${subjects.map((s) => s.kind)}::text[], ${subjects.map((s) => s.key)}::text[])
      AS s (kind, key)
  `.execute(db)
  return rows
}

/** The open (open or acknowledged) warnings of these subjects. */
export async function openWarningsOf(
  db: Db,
  subjects: readonly { kind: WarningSubjectKind; key: string }[],
) {
  if (subjects.length === 0) return []
  const { rows } = await sql<{
    id: string
    subjectKind: WarningSubjectKind
    subjectKey: string
    severity: number
    windowCount: number
    lastCaseAt: Date
  }>`
    SELECT w.id, w.subject_kind, w.subject_key, w.severity, w.window_count, w.last_case_at
    FROM warnings w
    JOIN unnest(${subjects.map((s) => s.kind)}::text[], ${subjects.map((s) => s.key)}::text[])
      AS s (kind, key) ON w.subject_kind = s.kind AND w.subject_key = s.key
    WHERE w.state IN ('open', 'acknowledged')
  `.execute(db)
  return rows
}

export interface NewWarning {
  subjectKind: WarningSubjectKind
  subjectKey: string
  subjectLabel: string
  countyCode: string | null
  severity: 1 | 2 | 3
  rule: WarningRule
  windowHours: number
  windowCount: number
  expected: number
  firedAt: Date
  /** Where its cases start (isCaseOfWarning); null for every case of the subject. */
  casesFrom: Date | null
}

/**
 * Opens a warning, its last case still unknown (-infinity: advanceWarnings sets it in the same
 * transaction); undefined when the subject already has an open one (another worker's, just
 * committed: warnings_one_open_idx), so the caller joins that one instead.
 */
export async function insertWarning(trx: Transaction<Database>, w: NewWarning) {
  const { rows } = await sql<{ id: string }>`
    INSERT INTO warnings (subject_kind, subject_key, subject_label, county_code, severity, rule,
      window_hours, window_count, expected, fired_at, cases_from, last_case_at, updated_at)
    VALUES (${w.subjectKind}, ${w.subjectKey}, ${w.subjectLabel}, ${w.countyCode}, ${w.severity},
      ${w.rule}, ${w.windowHours}, ${w.windowCount}, ${w.expected.toFixed(4)}, ${w.firedAt},
      coalesce(${w.casesFrom}::timestamptz, '-infinity'), '-infinity', ${w.firedAt})
    ON CONFLICT (subject_kind, subject_key) WHERE state IN ('open', 'acknowledged') DO NOTHING
    RETURNING id
  `.execute(trx)
  return rows[0]?.id
}

/**
 * Whether the complaint filed as `cs` (a complaint_subjects row) is a case of warning `w`: filed
 * under its subject and received from the start of its window until it closed. The one
 * definition of a warning's cases, for every query that lists or counts them.
 */
export const isCaseOfWarning = sql<boolean>`cs.subject_kind = w.subject_kind
  AND cs.subject_key = w.subject_key AND cs.received_at >= w.cases_from
  AND (w.closed_at IS NULL OR cs.received_at <= w.closed_at)`

export interface WarningAdvance {
  id: string
  /** The newest case detection has seen. */
  lastCaseAt: Date
  windowCount: number
  /** 0 leaves the severity as it is. */
  severity: number
}

/**
 * Moves each warning's last case, window count and severity up, never down, in one statement
 * for all of them (a batch touches hundreds of subjects during a flood), and returns the
 * severity before and after of each warning it changed. New cases need no row of their own
 * (isCaseOfWarning).
 */
export async function advanceWarnings(
  trx: Transaction<Database>,
  advances: readonly WarningAdvance[],
) {
  if (advances.length === 0) return []
  const sorted = [...advances].sort((a, b) => Number(a.id) - Number(b.id))
  const { rows } = await sql<{ id: string; before: number; after: number }>`
    WITH j AS (
      SELECT * FROM unnest(${sorted.map((x) => x.id)}::bigint[],
        ${sorted.map((x) => x.lastCaseAt)}::timestamptz[],
        ${sorted.map((x) => x.windowCount)}::int[], ${sorted.map((x) => x.severity)}::int[])
        AS j (id, last_case_at, window_count, severity)
    ),
    old AS (
      SELECT w.id, w.severity FROM warnings w WHERE w.id IN (SELECT id FROM j)
      ORDER BY w.id FOR UPDATE
    )
    UPDATE warnings w SET
      last_case_at = greatest(w.last_case_at, j.last_case_at),
      window_count = greatest(w.window_count, j.window_count),
      severity = greatest(w.severity, j.severity),
      updated_at = now()
    FROM j JOIN old ON old.id = j.id
    WHERE w.id = j.id AND (j.last_case_at > w.last_case_at OR j.window_count > w.window_count
      OR j.severity > w.severity)
    RETURNING w.id, old.severity AS before, w.severity AS after
  `.execute(trx)
  return rows
}
