import { sql, type Kysely } from 'kysely'
import type { Database } from '../database.ts'
import type { EnterpriseView } from './enterprises.ts'
import { findEnterprisesByUscc } from './enterprises.ts'

/**
 * A point in the database's own clock from which every later change is visible by `updated_at`.
 * A transaction already open now may commit later with an `updated_at` from before `now()`, so the
 * mark goes back to the oldest open transaction of this database (as far as this role may see it),
 * plus a second for writers that stamp `updated_at` with their own clock.
 */
export async function changeWatermark(db: Kysely<Database>): Promise<Date> {
  const result = await sql<{ since: Date }>`
    SELECT least(
      now(),
      (SELECT min(xact_start) FROM pg_stat_activity WHERE datname = current_database())
    ) - interval '1 second' AS since
  `.execute(db)
  return result.rows[0]!.since
}

/** Businesses written at or after `since`, in credit-code order. */
export async function enterprisesChangedSince(
  db: Kysely<Database>,
  since: Date,
): Promise<EnterpriseView[]> {
  const rows = await db
    .selectFrom('enterprises')
    .select('uscc')
    .where('updatedAt', '>=', since)
    .orderBy('uscc')
    .execute()
  const views: EnterpriseView[] = []
  for (let i = 0; i < rows.length; i += 5_000) {
    const chunk = rows.slice(i, i + 5_000).map((r) => r.uscc)
    views.push(...(await findEnterprisesByUscc(db, chunk)))
  }
  return views
}

/** Every credit code in the directory (about 19 bytes each: 100,000 codes are 2 MB). */
export async function allUsccs(db: Kysely<Database>): Promise<Set<string>> {
  const rows = await db.selectFrom('enterprises').select('uscc').execute()
  return new Set(rows.map((r) => r.uscc))
}
