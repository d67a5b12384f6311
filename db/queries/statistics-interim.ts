import { sql, type Kysely } from 'kysely'
import type { Database } from '../database.ts'

// Interim: the statistics part of issue 24 brings the real queries; this one exists so that the
// open data and the monthly report can be built and tested against the tables' interface.

/** Complaints received before `cutoff`, per Beijing month and county. */
export async function complaintsByMonthAndCounty(
  db: Kysely<Database>,
  filter: { cutoff: Date; countyCode?: string | undefined; month?: string | undefined },
) {
  const result = await sql<{ month: string; countyCode: string; countyName: string; n: string }>`
    SELECT to_char(c.received_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') AS month,
      c.county_code AS "countyCode", k.name AS "countyName", count(*)::text AS n
    FROM complaints c JOIN counties k ON k.code = c.county_code
    WHERE c.received_at < ${filter.cutoff}
      ${filter.countyCode ? sql`AND c.county_code = ${filter.countyCode}` : sql``}
      ${
        filter.month
          ? sql`AND to_char(c.received_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') = ${filter.month}`
          : sql``
      }
    GROUP BY 1, 2, 3, k.sort_order
    ORDER BY 1, k.sort_order
  `.execute(db)
  return result.rows.map((r) => ({ ...r, n: Number(r.n) }))
}
