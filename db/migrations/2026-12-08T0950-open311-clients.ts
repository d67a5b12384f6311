import { sql, type Kysely } from 'kysely'

// Frozen once it has run anywhere: add a new migration instead of editing this one.
//
// Open311 GeoReport v2 (issue 27, item 3). A client app that files requests for residents is
// registered by a city administrator and holds an api_key: open311_clients keeps only a keyed
// hash of it (HMAC with PII_HASH_KEY, like query codes), its first characters so the console can
// name it, the app's name, its contact (sealed: it may name a person) and who created and
// revoked it. A request an app files is an ordinary complaint; open311_requests links it to the
// app, and only complaints linked there are answered by the public Open311 GET endpoints.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE open311_clients (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
      pii_key_id text NOT NULL,
      contact_sealed bytea NOT NULL,
      key_hash bytea NOT NULL UNIQUE CHECK (length(key_hash) = 32),
      key_prefix text NOT NULL CHECK (length(key_prefix) BETWEEN 4 AND 16),
      created_by bigint NOT NULL REFERENCES operators (id),
      created_at timestamptz NOT NULL DEFAULT now(),
      revoked_at timestamptz,
      revoked_by bigint REFERENCES operators (id),
      CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
    );

    CREATE TABLE open311_requests (
      complaint_id bigint PRIMARY KEY REFERENCES complaints (id),
      client_id bigint NOT NULL REFERENCES open311_clients (id),
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX open311_requests_created_idx ON open311_requests (created_at DESC);
  `.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE open311_requests;
    DROP TABLE open311_clients;
  `.execute(db)
}
