import type { Kysely } from 'kysely'
import { Migrator, type MigrationProvider } from 'kysely/migration'
import { migrations } from './migrations/index.ts'

const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations) }

/** Brings the schema up to date; throws (and changes nothing further) when a migration fails. */
export async function migrateToLatest(db: Kysely<never>): Promise<string[]> {
  const migrator = new Migrator({ db, provider })
  const { error, results } = await migrator.migrateToLatest()
  if (error) throw error instanceof Error ? error : new Error('migration failed', { cause: error })
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
}
