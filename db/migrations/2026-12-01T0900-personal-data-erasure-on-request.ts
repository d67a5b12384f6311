import { sql, type Kysely } from 'kysely'

// Frozen once it has run anywhere: add a new migration instead of editing this one.
//
// A resident may ask for their personal data to be deleted once their case has ended (《个人信息保护
// 法》第四十七条; the privacy notice says to ask through 12345). A city administrator then erases
// it from the console, as the retention sweep does after three years; the case records which of
// the two removed it, so the console can say why.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE complaints ADD COLUMN personal_data_erasure text
      CHECK (personal_data_erasure IN ('retention', 'request'));
    UPDATE complaints SET personal_data_erasure = 'retention'
    WHERE personal_data_erased_at IS NOT NULL;
    ALTER TABLE complaints ADD CONSTRAINT complaints_erasure_check CHECK (
      (personal_data_erased_at IS NULL) = (personal_data_erasure IS NULL)
    );
  `.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE complaints DROP CONSTRAINT complaints_erasure_check;
    ALTER TABLE complaints DROP COLUMN personal_data_erasure;
  `.execute(db)
}
