import type { Kysely } from 'kysely'
import { Migrator, type MigrationResultSet } from 'kysely/migration'
import { migrations } from './migrations/index.ts'

function migrator(db: Kysely<never>) {
  return new Migrator({ db, provider: { getMigrations: () => Promise.resolve(migrations) } })
}

function applied({ error, results }: MigrationResultSet): string[] {
  if (error) throw error instanceof Error ? error : new Error('migration failed', { cause: error })
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
}

/** Brings the schema up to date; throws (and changes nothing further) when a migration fails. */
export async function migrateToLatest(db: Kysely<never>): Promise<string[]> {
  return applied(await migrator(db).migrateToLatest())
}

/**
 * Migrates up or down to the named migration (it included); for tests of a migration on the data
 * of the one before it. Throws when a migration fails.
 */
export async function migrateTo(db: Kysely<never>, name: string): Promise<string[]> {
  return applied(await migrator(db).migrateTo(name))
}
