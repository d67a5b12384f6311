import { sql, type Kysely } from 'kysely'
import type { ComplaintCategory } from '../../api/domain/complaints.ts'
import type {
  WarningSeverity,
  WarningState,
  WarningSubjectKind,
} from '../../api/domain/warnings.ts'
import type { Database } from '../database.ts'
import { isCaseOfWarning } from './warnings.ts'

/** A case still open at `at` and past its deadline then, as the monthly report lists it. */
export interface OverdueCase {
  trackingNo: string
  countyName: string
  category: ComplaintCategory
  /** The business complained about (a legal entity's name, not a resident's). */
  merchantName: string
  receivedAt: Date
  dueAt: Date
}

/**
 * Cases received before `at`, due before it and not yet resolved or closed at it, in a county or
 * all (null). A case the console refused (不予受理) is left out: it left the queue when it was
 * refused. The deadline is the case's current one (an extension granted later moves it). Only
 * columns without personal data are read.
 */
export async function overdueCasesAt(
  db: Kysely<Database>,
  filter: { at: Date; countyCode: string | null },
): Promise<OverdueCase[]> {
  let query = db
    .selectFrom('complaints as c')
    .innerJoin('counties as k', 'k.code', 'c.countyCode')
    .select([
      'c.trackingNo',
      'k.name as countyName',
      'c.category',
      'c.merchantName',
      'c.receivedAt',
      'c.dueAt',
    ])
    .where('c.receivedAt', '<', filter.at)
    .where('c.dueAt', '<', filter.at)
    .where('c.status', '<>', 'rejected')
    .where((eb) => eb.or([eb('c.resolvedAt', 'is', null), eb('c.resolvedAt', '>=', filter.at)]))
    .where((eb) => eb.or([eb('c.closedAt', 'is', null), eb('c.closedAt', '>=', filter.at)]))
  if (filter.countyCode) query = query.where('c.countyCode', '=', filter.countyCode)
  return query.orderBy('c.dueAt').orderBy('c.trackingNo').execute()
}

/** A warning fired in a month, as the monthly report lists it. */
export interface MonthWarning {
  subjectLabel: string
  subjectKind: WarningSubjectKind
  countyName: string | null
  severity: WarningSeverity
  firedAt: Date
  state: WarningState
  cases: number
}

/**
 * Warnings fired in [from, to), of a county or all (null), most severe first. A county's report
 * holds its own warnings; city-wide subjects (no county) are in the city's report.
 */
export async function warningsFiredBetween(
  db: Kysely<Database>,
  filter: { from: Date; to: Date; countyCode: string | null },
): Promise<MonthWarning[]> {
  const result = await sql<MonthWarning & { cases: string }>`
    SELECT w.subject_label AS "subjectLabel", w.subject_kind AS "subjectKind",
      k.name AS "countyName", w.severity, w.fired_at AS "firedAt", w.state,
      (SELECT count(*) FROM complaint_subjects cs WHERE ${isCaseOfWarning})::text AS cases
    FROM warnings w LEFT JOIN counties k ON k.code = w.county_code
    WHERE w.fired_at >= ${filter.from} AND w.fired_at < ${filter.to}
      ${filter.countyCode ? sql`AND w.county_code = ${filter.countyCode}` : sql``}
    ORDER BY w.severity DESC, w.fired_at DESC, w.id
  `.execute(db)
  return result.rows.map((r) => ({ ...r, cases: Number(r.cases) }))
}
