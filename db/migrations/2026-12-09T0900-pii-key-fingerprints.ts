import { sql, type Kysely } from 'kysely'

// Frozen once it has run anywhere: add a new migration instead of editing this one.
//
// Issue 26: a replica started with other personal-data keys than the others (or, outside
// production, with keys it generated itself under the same dated id) sealed data nobody else
// could open. Each process now records, at start, a fingerprint of every key it holds
// (HMAC-SHA256 of a fixed text under the key: it proves which key, it reveals nothing of it) and
// refuses to start when a recorded key id has another fingerprint, or when it lacks a recorded
// key. Key ids already used by sealed data are recorded here without a fingerprint (nobody
// knows the keys yet): the first process holding that id fills it in.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE pii_key_fingerprints (
      kind text NOT NULL CHECK (kind IN ('seal', 'hash')),
      key_id text NOT NULL CHECK (key_id ~ '^[A-Za-z0-9_-]{1,32}$'),
      fingerprint bytea CHECK (length(fingerprint) = 32),
      recorded_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (kind, key_id)
    );

    INSERT INTO pii_key_fingerprints (kind, key_id)
    SELECT 'seal', key_id FROM (
      SELECT pii_key_id AS key_id FROM complaints WHERE pii_key_id IS NOT NULL
      UNION SELECT rating_key_id FROM complaints WHERE rating_key_id IS NOT NULL
      UNION SELECT totp_key_id FROM operators WHERE totp_key_id IS NOT NULL
      UNION SELECT pii_key_id FROM hotline_inbox
      UNION SELECT pii_key_id FROM idempotency_keys
      UNION SELECT pii_key_id FROM complaint_drafts
      UNION SELECT pii_key_id FROM open311_clients
      UNION SELECT payee_key_id FROM reporter_rewards WHERE payee_key_id IS NOT NULL
    ) used
    WHERE key_id ~ '^[A-Za-z0-9_-]{1,32}$';
  `.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE pii_key_fingerprints`.execute(db)
}
