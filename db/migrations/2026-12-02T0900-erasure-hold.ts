import { sql, type Kysely } from 'kysely'

// Frozen once it has run anywhere: add a new migration instead of editing this one.
//
// A case under administrative reconsideration or in court (行政复议、行政诉讼), or asked for by
// another authority, must keep its record whole until that ends. A city administrator holds its
// erasure (暂缓删除) with a note saying why; while held, neither the retention sweep nor an erasure
// at the resident's request removes the resident's data. The hold is lifted the same way.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE complaints
      ADD COLUMN erasure_held_at timestamptz,
      ADD COLUMN erasure_hold_note text,
      ADD CONSTRAINT complaints_erasure_hold_check CHECK (
        (erasure_held_at IS NULL) = (erasure_hold_note IS NULL)
      );
  `.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE complaints
      DROP CONSTRAINT complaints_erasure_hold_check,
      DROP COLUMN erasure_hold_note,
      DROP COLUMN erasure_held_at;
  `.execute(db)
}
