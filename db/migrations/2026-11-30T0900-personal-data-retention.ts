import { sql, type Kysely } from 'kysely'

// Frozen once it has run anywhere: add a new migration instead of editing this one.
//
// The privacy notice (/complaints/privacy) promises that a case's personal data is kept for three
// years after the case ends, then removed. api/services/complaints/retention.ts removes it and
// stamps the case: a 投诉 then no longer has the name and phone it was filed with, so the contact
// rule allows an erased case, and an erased case can never hold them again.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE complaints ADD COLUMN personal_data_erased_at timestamptz;
    ALTER TABLE complaints DROP CONSTRAINT complaints_contact_check;
    ALTER TABLE complaints ADD CONSTRAINT complaints_contact_check CHECK (
      kind = 'report' OR channel <> 'web' OR personal_data_erased_at IS NOT NULL
      OR (name_sealed IS NOT NULL AND phone_sealed IS NOT NULL)
    );
    ALTER TABLE complaints ADD CONSTRAINT complaints_erased_check CHECK (
      personal_data_erased_at IS NULL
      OR (name_sealed IS NULL AND phone_sealed IS NULL AND phone_hash IS NULL)
    );
  `.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE complaints DROP CONSTRAINT complaints_erased_check;
    ALTER TABLE complaints DROP CONSTRAINT complaints_contact_check;
    -- Not validated: erased 投诉 have no contact details to restore.
    ALTER TABLE complaints ADD CONSTRAINT complaints_contact_check CHECK (
      kind = 'report' OR channel <> 'web' OR (name_sealed IS NOT NULL AND phone_sealed IS NOT NULL)
    ) NOT VALID;
    ALTER TABLE complaints DROP COLUMN personal_data_erased_at;
  `.execute(db)
}
