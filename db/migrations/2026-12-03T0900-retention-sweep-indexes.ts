import { sql, type Kysely } from 'kysely'

// Frozen once it has run anywhere: add a new migration instead of editing this one.
//
// The hourly retention sweep (api/services/complaints/retention.ts) looks for ended cases
// received more than three years ago whose resident is still on record, and for hotline events
// that never became a case. Without these it read every complaint and every stored event each
// hour; with them it reads only the old rows it may have to erase. Erased cases leave the first
// index, so it stays the size of the cases still holding personal data.
//
// Building them holds writes to the two tables for that time. A large installation can build them
// beforehand with CREATE INDEX CONCURRENTLY under the same names and definitions; this then
// leaves them as they are.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE INDEX IF NOT EXISTS complaints_retention_idx ON complaints (received_at)
      WHERE personal_data_erased_at IS NULL;
    CREATE INDEX IF NOT EXISTS hotline_inbox_unapplied_idx ON hotline_inbox (received_at)
      WHERE state IN ('rejected', 'held');
  `.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP INDEX hotline_inbox_unapplied_idx;
    DROP INDEX complaints_retention_idx;
  `.execute(db)
}
