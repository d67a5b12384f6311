import { sql, type Kysely } from 'kysely'
import type { Database } from '../database.ts'

/** Which complaints a statistic covers: received in [from, before), of one county or all. */
export interface ComplaintScope {
  from: Date | null
  before: Date
  countyCode: string | null
}

const shanghai = (column: string) => sql`(${sql.ref(column)} AT TIME ZONE 'Asia/Shanghai')`

function inScope(scope: ComplaintScope) {
  return sql`c.received_at < ${scope.before}
    ${scope.from ? sql`AND c.received_at >= ${scope.from}` : sql``}
    ${scope.countyCode ? sql`AND c.county_code = ${scope.countyCode}` : sql``}`
}

/**
 * Businesses certified and in force at the end of `lastDay`, per county and sector: those whose
 * latest status event (认定, 续期, 暂停, 恢复, 撤销, 过期; not 信息变更) on or before that day
 * leaves them certified, and whose latest validity date given by then has not passed. County and
 * sector are the business's current ones.
 */
export async function activeCertifiedOn(
  db: Kysely<Database>,
  lastDay: string,
  countyCode: string | null,
) {
  const result = await sql<{ countyCode: string; sectorCode: string; n: string }>`
    WITH ev AS (
      SELECT uscc, kind, valid_until, occurred_on, id FROM certification_events
      WHERE occurred_on <= ${lastDay}::date AND kind <> 'amended'
    ), latest AS (
      SELECT DISTINCT ON (uscc) uscc, kind FROM ev ORDER BY uscc, occurred_on DESC, id DESC
    ), validity AS (
      SELECT DISTINCT ON (uscc) uscc, valid_until FROM ev WHERE valid_until IS NOT NULL
      ORDER BY uscc, occurred_on DESC, id DESC
    )
    SELECT e.county_code, e.sector_code, count(*)::text AS n
    FROM latest l
    JOIN enterprises e ON e.uscc = l.uscc
    LEFT JOIN validity v ON v.uscc = l.uscc
    WHERE l.kind IN ('certified', 'renewed', 'reinstated')
      AND (v.valid_until IS NULL OR v.valid_until >= ${lastDay}::date)
      ${countyCode ? sql`AND e.county_code = ${countyCode}` : sql``}
    GROUP BY e.county_code, e.sector_code
  `.execute(db)
  return result.rows.map((r) => ({ ...r, n: Number(r.n) }))
}

/** First certifications (认定, not 续期) per year, on or before `lastDay`. */
export async function certificationsPerYear(
  db: Kysely<Database>,
  lastDay: string,
  countyCode: string | null,
) {
  const result = await sql<{ year: number; n: string }>`
    SELECT extract(year FROM ce.occurred_on)::int AS year, count(*)::text AS n
    FROM certification_events ce
    JOIN enterprises e ON e.uscc = ce.uscc
    WHERE ce.kind = 'certified' AND ce.occurred_on <= ${lastDay}::date
      ${countyCode ? sql`AND e.county_code = ${countyCode}` : sql``}
    GROUP BY 1 ORDER BY 1
  `.execute(db)
  return result.rows.map((r) => ({ year: r.year, n: Number(r.n) }))
}

/** Complaints received in the scope, per Beijing month, county, category, kind and channel. */
export async function complaintCounts(db: Kysely<Database>, scope: ComplaintScope) {
  const result = await sql<{
    month: string
    countyCode: string
    category: string
    kind: string
    channel: string
    n: string
  }>`
    SELECT to_char(${shanghai('c.received_at')}, 'YYYY-MM') AS month, c.county_code, c.category,
      c.kind, c.channel, count(*)::text AS n
    FROM complaints c
    WHERE ${inScope(scope)}
    GROUP BY 1, 2, 3, 4, 5
  `.execute(db)
  return result.rows.map((r) => ({ ...r, n: Number(r.n) }))
}

/**
 * Each case of the scope with the moments its deadlines are judged by: no names, no words.
 * `rejectedAt` is when 不予受理 was recorded (its timeline entry).
 */
export async function caseMoments(db: Kysely<Database>, scope: ComplaintScope) {
  const result = await sql<{
    kind: 'complaint' | 'report'
    countyCode: string
    category: string
    status: string
    receivedAt: Date
    acceptedAt: Date | null
    rejectedAt: Date | null
    resolvedAt: Date | null
    closedAt: Date | null
    dueAt: Date
    finding: string | null
  }>`
    SELECT c.kind, c.county_code, c.category, c.status, c.received_at, c.accepted_at,
      (SELECT min(ev.occurred_at) FROM complaint_events ev
        WHERE ev.complaint_id = c.id AND ev.kind = 'rejected') AS rejected_at,
      c.resolved_at, c.closed_at, c.due_at, c.finding
    FROM complaints c
    WHERE ${inScope(scope)}
  `.execute(db)
  return result.rows
}

/** 12345 revisit ratings of the scope's cases finished before the scope's end, per level. */
export async function satisfactionCounts(db: Kysely<Database>, scope: ComplaintScope) {
  const result = await sql<{ satisfaction: string; n: string }>`
    SELECT t.satisfaction, count(*)::text AS n
    FROM hotline_tickets t
    JOIN complaints c ON c.id = t.complaint_id
    WHERE t.satisfaction IS NOT NULL AND ${inScope(scope)}
      AND coalesce(c.resolved_at, c.closed_at) < ${scope.before}
    GROUP BY 1
  `.execute(db)
  return result.rows.map((r) => ({ satisfaction: r.satisfaction, n: Number(r.n) }))
}

/** Web residents' ratings (issue 25) of the scope's cases, given before the scope's end, per level. */
export async function residentRatingCounts(db: Kysely<Database>, scope: ComplaintScope) {
  const result = await sql<{ rating: string; n: string }>`
    SELECT c.rating, count(*)::text AS n
    FROM complaints c
    WHERE c.rating IS NOT NULL AND ${inScope(scope)} AND c.rated_at < ${scope.before}
    GROUP BY 1
  `.execute(db)
  return result.rows.map((r) => ({ rating: r.rating, n: Number(r.n) }))
}

/** Counties and sectors in their display order, with names. */
export async function countiesAndSectors(db: Kysely<Database>) {
  const [counties, sectors] = await Promise.all([
    db.selectFrom('counties').select(['code', 'name']).orderBy('sortOrder').execute(),
    db.selectFrom('sectors').select(['code', 'name']).orderBy('sortOrder').execute(),
  ])
  return { counties, sectors }
}

/**
 * 举报奖励 paid per year (issue 25): how many and how much (fen), by the Beijing date of payment,
 * paid before `cutoff` ('YYYY-MM-DD'), of one county's cases or all. Only these totals leave the
 * table for the public statistics; an amount per case never does.
 */
export async function rewardsPaidPerYear(
  db: Kysely<Database>,
  scope: { cutoff: string; countyCode: string | null },
) {
  const result = await sql<{ year: number; n: string; fen: string }>`
    SELECT extract(year FROM r.paid_on)::int AS year, count(*)::text AS n,
      sum(r.amount_fen)::text AS fen
    FROM reporter_rewards r
    JOIN complaints c ON c.id = r.complaint_id
    WHERE r.state = 'paid' AND r.paid_on < ${scope.cutoff}::date
      ${scope.countyCode ? sql`AND c.county_code = ${scope.countyCode}` : sql``}
    GROUP BY 1
    ORDER BY 1
  `.execute(db)
  return result.rows.map((r) => ({ year: r.year, n: Number(r.n), fen: Number(r.fen) }))
}
