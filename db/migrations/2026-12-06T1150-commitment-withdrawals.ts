import { sql, type Kysely } from 'kysely'

// Frozen: never edit a migration that has run anywhere; add a new one.
//
// A self-commitment (经营者自我承诺) is withdrawn with a reason, kept beside it so the console
// shows why, and who recorded and who withdrew it (the audit log has the same, append-only).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE commitments
      ADD COLUMN recorded_by bigint REFERENCES operators (id),
      ADD COLUMN withdrawn_by bigint REFERENCES operators (id),
      ADD COLUMN withdrawal_reason text
        CHECK (withdrawal_reason IS NULL OR length(btrim(withdrawal_reason)) BETWEEN 1 AND 500),
      ADD CONSTRAINT commitments_withdrawn_with_reason
        CHECK (withdrawn_at IS NULL OR withdrawal_reason IS NOT NULL);
    -- The console's list of certified businesses that have not signed yet.
    CREATE INDEX commitments_current_idx ON commitments (uscc) WHERE withdrawn_at IS NULL;
  `.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP INDEX commitments_current_idx;
    ALTER TABLE commitments
      DROP CONSTRAINT commitments_withdrawn_with_reason,
      DROP COLUMN withdrawal_reason,
      DROP COLUMN withdrawn_by,
      DROP COLUMN recorded_by;
  `.execute(db)
}
