import { sql, type Kysely } from 'kysely'

// Frozen: never edit a migration that has run anywhere; add a new one.
//
// Which of a visit's assigned inspectors were there (issue 22, point 4): the draw assigns two or
// more, the record says who went. At least two must have been present, which the service checks
// (a count across rows is no column constraint).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE visit_inspectors ADD COLUMN present boolean NOT NULL DEFAULT false;
  `.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE visit_inspectors DROP COLUMN present;
  `.execute(db)
}
