import { sql, type Kysely } from 'kysely'
import type { Database } from '../database.ts'

/** The cheapest question PostgreSQL answers: resolves when it does, rejects when it cannot. */
export async function pingDatabase(db: Kysely<Database>): Promise<void> {
  await sql`SELECT 1`.execute(db)
}
