import { sql, type Kysely, type Transaction } from 'kysely'
import type { CreditGrade } from '../../api/domain/credit.ts'
import type { Database } from '../database.ts'

/** A business's stored grade, as the public pages, the API and the draw read it. */
export interface StoredGrade {
  uscc: string
  grade: CreditGrade
  /** Plain Chinese, most weighty first. */
  reasons: string[]
  ruleVersion: string
  /** The first day an item now counting no longer will (信用修复), or null. */
  nextAgeOut: string | null
  /** That day in a sentence for the page, e.g. "2027 年 3 月 1 日起，2025 年 3 月的行政处罚不再计入". */
  nextAgeOutNote: string | null
  computedAt: Date
}

/** A grade to store. */
export type GradeRow = Omit<StoredGrade, 'computedAt'>

const storedColumns = [
  'uscc',
  'grade',
  'reasons',
  'ruleVersion',
  'nextAgeOut',
  'nextAgeOutNote',
  'computedAt',
] as const

/**
 * The stored grade of one business; undefined when it has none yet, which readers show as
 * defaultCreditGrade (B) with no reasons.
 */
export async function gradeOf(
  db: Kysely<Database>,
  uscc: string,
): Promise<StoredGrade | undefined> {
  return (await gradesOf(db, [uscc])).get(uscc)
}

/** The stored grades of these businesses, by code; a business without one is absent. */
export async function gradesOf(
  db: Kysely<Database>,
  usccs: readonly string[],
): Promise<Map<string, StoredGrade>> {
  if (usccs.length === 0) return new Map()
  const rows = await db
    .selectFrom('creditGrades')
    .select(storedColumns)
    .where('uscc', 'in', [...new Set(usccs)])
    .execute()
  return new Map(rows.map((r) => [r.uscc, r]))
}

/**
 * Holds these businesses' grades for the rest of the transaction (advisory locks, taken in code
 * order so two batches never wait on each other in a cycle): whoever computes a grade reads the
 * record after the last writer committed, so an older reading never overwrites a newer one.
 */
export async function lockGrades(trx: Transaction<Database>, usccs: readonly string[]) {
  const sorted = [...new Set(usccs)].sort()
  await sql`
    SELECT pg_advisory_xact_lock(hashtextextended('credit:' || u, 0))
    FROM unnest(${sorted}::text[]) AS u
  `.execute(trx)
}

/** Writes these grades (insert or replace), stamped now. */
export async function writeGrades(trx: Transaction<Database>, rows: readonly GradeRow[]) {
  if (rows.length === 0) return
  await sql`
    INSERT INTO credit_grades
      (uscc, grade, rule_version, reasons, next_age_out, next_age_out_note, computed_at)
    SELECT u, g, v, r::jsonb, a::date, n, now()
    FROM unnest(
      ${rows.map((r) => r.uscc)}::text[],
      ${rows.map((r) => r.grade)}::text[],
      ${rows.map((r) => r.ruleVersion)}::text[],
      ${rows.map((r) => JSON.stringify(r.reasons))}::text[],
      ${rows.map((r) => r.nextAgeOut)}::text[],
      ${rows.map((r) => r.nextAgeOutNote)}::text[]
    ) AS t (u, g, v, r, a, n)
    ON CONFLICT (uscc) DO UPDATE SET
      grade = excluded.grade,
      rule_version = excluded.rule_version,
      reasons = excluded.reasons,
      next_age_out = excluded.next_age_out,
      next_age_out_note = excluded.next_age_out_note,
      computed_at = excluded.computed_at
  `.execute(trx)
}

/** Appends these grades to their businesses' history. */
export async function appendGradeHistory(trx: Transaction<Database>, rows: readonly GradeRow[]) {
  if (rows.length === 0) return
  await sql`
    INSERT INTO credit_grade_history (uscc, grade, rule_version, reasons)
    SELECT u, g, v, r::jsonb
    FROM unnest(
      ${rows.map((r) => r.uscc)}::text[],
      ${rows.map((r) => r.grade)}::text[],
      ${rows.map((r) => r.ruleVersion)}::text[],
      ${rows.map((r) => JSON.stringify(r.reasons))}::text[]
    ) AS t (u, g, v, r)
  `.execute(trx)
}

/** Up to `limit` businesses whose next item has aged out by `today`, after `after` in code order. */
export async function gradesAgedOut(
  db: Kysely<Database>,
  today: string,
  options: { after: string; limit: number },
): Promise<string[]> {
  const rows = await db
    .selectFrom('creditGrades')
    .select('uscc')
    .where('nextAgeOut', '<=', today)
    .where('uscc', '>', options.after)
    .orderBy('uscc')
    .limit(options.limit)
    .execute()
  return rows.map((r) => r.uscc)
}

/**
 * Up to `limit` businesses (certified or market entities) after `after` in code order: each side
 * read by its primary key, so a full pass costs one short index scan per batch.
 */
export async function businessesAfter(
  db: Kysely<Database>,
  options: { after: string; limit: number },
): Promise<string[]> {
  const { rows } = await sql<{ uscc: string }>`
    SELECT uscc FROM (
      (SELECT uscc FROM enterprises WHERE uscc > ${options.after} ORDER BY uscc LIMIT ${options.limit})
      UNION
      (SELECT uscc FROM market_entities WHERE uscc > ${options.after} ORDER BY uscc
        LIMIT ${options.limit})
    ) AS b
    ORDER BY uscc
    LIMIT ${options.limit}
  `.execute(db)
  return rows.map((r) => r.uscc)
}

/** How many businesses there are: certified, or market entities. */
export async function countBusinesses(db: Kysely<Database>): Promise<number> {
  const { rows } = await sql<{ n: string }>`
    SELECT count(*) AS n FROM (SELECT uscc FROM enterprises UNION SELECT uscc FROM market_entities) b
  `.execute(db)
  return Number(rows[0]!.n)
}

/**
 * The codes of every business whose public record may hold anything (a grade, a published visit,
 * a closed 查实 case, a published penalty, a commitment): the static build reads the
 * full record of these only, and gives every other business an empty one without a query.
 */
export async function usccsWithCreditRecord(db: Kysely<Database>): Promise<Set<string>> {
  const rows = await db
    .selectFrom('creditGrades')
    .select('uscc')
    .union(db.selectFrom('inspectionVisits').select('uscc').where('publishedAt', 'is not', null))
    .union(db.selectFrom('penalties').select('uscc').where('publishedAt', 'is not', null))
    .union(db.selectFrom('commitments').select('uscc').where('withdrawnAt', 'is', null))
    .union(
      db
        .selectFrom('complaints')
        .select('enterpriseUscc as uscc')
        .where('finding', 'in', ['substantiated', 'partly_substantiated'])
        .where('closedAt', 'is not', null)
        .where('enterpriseUscc', 'is not', null)
        .$narrowType<{ uscc: string }>(),
    )
    .union(
      db
        .selectFrom('complaints')
        .select('merchantUscc as uscc')
        .where('finding', 'in', ['substantiated', 'partly_substantiated'])
        .where('closedAt', 'is not', null)
        .where('merchantUscc', 'is not', null)
        .$narrowType<{ uscc: string }>(),
    )
    .execute()
  return new Set(rows.map((r) => r.uscc))
}
