import { sql, type Insertable, type Kysely, type Transaction } from 'kysely'
import type {
  CertificationEventTable,
  Database,
  EnterpriseUpdate,
  NewEnterprise,
} from '../database.ts'
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

/** One business's row, changed by the console (the caller holds its lock). */
export async function updateEnterprise(
  trx: Transaction<Database>,
  uscc: string,
  set: EnterpriseUpdate,
) {
  await trx.updateTable('enterprises').set(set).where('uscc', '=', uscc).execute()
}

export async function insertEnterprises(
  trx: Transaction<Database>,
  rows: readonly NewEnterprise[],
) {
  if (rows.length > 0) await trx.insertInto('enterprises').values(rows).execute()
}

export async function insertCertificationEvents(
  trx: Transaction<Database>,
  events: readonly Insertable<CertificationEventTable>[],
) {
  if (events.length > 0) await trx.insertInto('certificationEvents').values(events).execute()
}

/** A business's history as the console shows it: with where each entry came from and when. */
export async function consoleHistory(db: Kysely<Database>, uscc: string) {
  return db
    .selectFrom('certificationEvents')
    .select(['kind', 'occurredOn', 'validUntil', 'reason', 'source', 'createdAt'])
    .where('uscc', '=', uscc)
    .orderBy('occurredOn', 'desc')
    .orderBy('id', 'desc')
    .execute()
}

/**
 * A fingerprint of everything the static pages show about businesses. Any write to a business
 * moves its updated_at forward and so the sum, even one committed after a later-stamped write
 * (where max(updated_at) alone would not move); inserts and deletes move the count. The credit
 * record's tables (those with a site_data trigger) count too: a grade, a published visit, a
 * penalty or a market entity changes the pages as much as a certification does.
 */
export async function publishedDataStamp(db: Kysely<Database>): Promise<string> {
  const result = await sql<{ n: string; total: string | null; credit: string }>`
    SELECT count(*)::text AS n, sum(extract(epoch FROM updated_at))::text AS total,
      concat_ws(':',
        (SELECT count(*) || '/' || coalesce(sum(extract(epoch FROM updated_at)), 0)
           FROM market_entities),
        (SELECT count(*) || '/' || coalesce(sum(extract(epoch FROM computed_at)), 0)
           FROM credit_grades),
        (SELECT count(*) || '/' || coalesce(sum(extract(epoch FROM updated_at) + version), 0)
           FROM inspection_campaigns),
        (SELECT count(*) || '/' || coalesce(sum(extract(epoch FROM updated_at) + version), 0)
           FROM inspection_visits),
        (SELECT count(*) || '/' || coalesce(sum(extract(epoch FROM updated_at) + version), 0)
           FROM penalties),
        (SELECT count(*) || '/' || coalesce(sum(extract(epoch FROM coalesce(withdrawn_at,
           created_at))), 0) FROM commitments),
        (SELECT count(*) || '/' || coalesce(sum(extract(epoch FROM corrected_at)), 0)
           FROM record_corrections)
      ) AS credit
    FROM enterprises
  `.execute(db)
  const row = result.rows[0]!
  return `${row.n}:${row.total ?? 0}:${row.credit}`
}
