import { sql, type Kysely } from 'kysely'

// Frozen: never edit a migration that has run anywhere; add a new one.
//
// A complaint filled in step by step (issue 23): its answers wait here between steps, sealed as a
// whole (they hold the resident's name and phone), under the SHA-256 of a random token only the
// resident's browser holds. Drafts expire after a few hours and a sweep deletes them with their
// pending photos; the photo rows follow their draft.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE complaint_drafts (
      token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
      pii_key_id text NOT NULL,
      answers_sealed bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      CHECK (expires_at > created_at)
    );
    CREATE INDEX complaint_drafts_expiry_idx ON complaint_drafts (expires_at);
    CREATE TABLE complaint_draft_photos (
      storage_key text PRIMARY KEY,
      draft_token_hash bytea NOT NULL REFERENCES complaint_drafts (token_hash) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX complaint_draft_photos_draft_idx ON complaint_draft_photos (draft_token_hash);
  `.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE complaint_draft_photos;
    DROP TABLE complaint_drafts;
  `.execute(db)
}
