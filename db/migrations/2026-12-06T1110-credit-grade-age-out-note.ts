import { sql, type Kysely } from 'kysely'

// Frozen once it has run anywhere: add a new migration instead of editing this one.
//
// The page says when the next item of a grade ages out (信用修复) in a sentence naming the item
// ("2027 年 3 月 1 日起，2025 年 3 月的行政处罚不再计入"). Writing it needs the record, which the
// grade's computation has and a page reading the stored grade does not: keep it with the grade.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE credit_grades
      ADD COLUMN next_age_out_note text CHECK (length(next_age_out_note) <= 500),
      ADD CHECK ((next_age_out IS NULL) = (next_age_out_note IS NULL));
  `.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE credit_grades DROP COLUMN next_age_out_note`.execute(db)
}
