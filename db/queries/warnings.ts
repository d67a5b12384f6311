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
    .where('c.id', 'in', ids)
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

/** Files complaints under their subjects; filing one again changes nothing. */
export async function fileUnderSubjects(db: Db, rows: readonly FiledSubject[]) {
  for (let i = 0; i < rows.length; i += 5000) {
    await db
      .insertInto('complaintSubjects')
      .values(rows.slice(i, i + 5000))
      .onConflict((oc) => oc.doNothing())
      .execute()
  }
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
}

/**
 * Opens a warning, its last case still unknown (-infinity: joinWarnings sets it from the cases it
 * adds in the same transaction); undefined when the subject already has an open one (another worker's, just
 * committed: warnings_one_open_idx), so the caller joins that one instead.
 */
export async function insertWarning(trx: Transaction<Database>, w: NewWarning) {
  const { rows } = await sql<{ id: string }>`
    INSERT INTO warnings (subject_kind, subject_key, subject_label, county_code, severity, rule,
      window_hours, window_count, expected, fired_at, last_case_at, updated_at)
    VALUES (${w.subjectKind}, ${w.subjectKey}, ${w.subjectLabel}, ${w.countyCode}, ${w.severity},
      ${w.rule}, ${w.windowHours}, ${w.windowCount}, ${w.expected.toFixed(4)}, ${w.firedAt},
      '-infinity', ${w.firedAt})
    ON CONFLICT (subject_kind, subject_key) WHERE state IN ('open', 'acknowledged') DO NOTHING
    RETURNING id
  `.execute(trx)
  return rows[0]?.id
}

export interface WarningJoin {
  id: string
  subjectKind: WarningSubjectKind
  subjectKey: string
  /** Complaints of the subject received from here to `to` join. */
  from: Date
  windowCount: number
  /** 0 leaves the severity as it is. */
  severity: number
}

/**
 * Adds to each warning its subject's complaints received in [from, to] (those already in it stay
 * once) and moves its last case, window count and severity up, never down, in one statement for
 * all of them (a batch touches hundreds of subjects during a flood). Returns each warning's
 * severity before and after.
 */
export async function joinWarnings(
  trx: Transaction<Database>,
  joins: readonly WarningJoin[],
  options: { to: Date; joinedAt: Date },
) {
  if (joins.length === 0) return []
  const sorted = [...joins].sort((a, b) => Number(a.id) - Number(b.id))
  const { rows } = await sql<{ id: string; before: number; after: number }>`
    WITH j AS (
      SELECT * FROM unnest(${sorted.map((x) => x.id)}::bigint[],
        ${sorted.map((x) => x.subjectKind)}::text[], ${sorted.map((x) => x.subjectKey)}::text[],
        ${sorted.map((x) => x.from)}::timestamptz[], ${sorted.map((x) => x.windowCount)}::int[],
        ${sorted.map((x) => x.severity)}::int[])
        AS j (id, kind, key, from_at, window_count, severity)
    ),
    old AS (
      SELECT w.id, w.severity FROM warnings w WHERE w.id IN (SELECT id FROM j)
      ORDER BY w.id FOR UPDATE
    ),
    added AS (
      INSERT INTO warning_cases (warning_id, complaint_id, joined_at)
      SELECT j.id, cs.complaint_id, ${options.joinedAt}
      FROM j JOIN complaint_subjects cs
        ON cs.subject_kind = j.kind AND cs.subject_key = j.key
        AND cs.received_at >= j.from_at AND cs.received_at <= ${options.to}
      ON CONFLICT DO NOTHING
      RETURNING warning_id, complaint_id
    ),
    latest AS (
      SELECT a.warning_id, max(c.received_at) AS at
      FROM added a JOIN complaints c ON c.id = a.complaint_id
      GROUP BY a.warning_id
    )
    UPDATE warnings w SET
      last_case_at = greatest(w.last_case_at, coalesce(l.at, w.last_case_at)),
      window_count = greatest(w.window_count, j.window_count),
      severity = greatest(w.severity, j.severity),
      updated_at = now()
    FROM j JOIN old ON old.id = j.id LEFT JOIN latest l ON l.warning_id = j.id
    WHERE w.id = j.id
    RETURNING w.id, old.severity AS before, w.severity AS after
  `.execute(trx)
  return rows
}
