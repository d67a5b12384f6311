import { sql, type Kysely } from 'kysely'

// Frozen: never edit a migration that has run anywhere; add a new one.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE enterprises ADD COLUMN complaint_count int NOT NULL DEFAULT 0
      CHECK (complaint_count >= 0);

    -- Tracking numbers take the day of receipt and a number from this sequence: unique without a
    -- per-day counter row that every intake would queue on.
    CREATE SEQUENCE complaint_tracking_seq;

    CREATE TABLE complaints (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      tracking_no text NOT NULL UNIQUE CHECK (tracking_no ~ '^JL[0-9]{8}-[0-9]{5,}$'),
      query_code_hash bytea NOT NULL CHECK (length(query_code_hash) = 32),
      kind text NOT NULL CHECK (kind IN ('complaint', 'report')),
      category text NOT NULL CHECK (category IN ('short_weight', 'rigged_instrument',
        'fuel_dispenser', 'taxi_meter', 'utility_meter', 'optical', 'medical', 'other')),
      channel text NOT NULL DEFAULT 'web' CHECK (channel IN ('web', 'hotline')),
      county_code char(6) NOT NULL REFERENCES counties (code),
      merchant_name text NOT NULL CHECK (length(btrim(merchant_name)) BETWEEN 1 AND 200),
      merchant_uscc char(18) CHECK (merchant_uscc ~ '^[0-9A-HJ-NPQRTUWXY]{18}$'),
      enterprise_uscc char(18) REFERENCES enterprises (uscc),
      address text NOT NULL CHECK (length(btrim(address)) BETWEEN 1 AND 500),
      occurred_at timestamptz NOT NULL,
      description text NOT NULL CHECK (length(btrim(description)) BETWEEN 1 AND 5000),
      -- Personal data: sealed with AES-256-GCM under the key named here (api/privacy/pii.ts).
      pii_key_id text CHECK (pii_key_id ~ '^[A-Za-z0-9_-]{1,32}$'),
      name_sealed bytea,
      phone_sealed bytea,
      phone_hash bytea CHECK (length(phone_hash) = 32),
      claimed_quantity numeric(12, 3) CHECK (claimed_quantity > 0),
      measured_quantity numeric(12, 3) CHECK (measured_quantity >= 0),
      unit text CHECK (unit IN ('jin', 'liang', 'kg', 'g', 'l', 'ml', 'm', 'km')),
      unit_price numeric(12, 2) CHECK (unit_price >= 0),
      shortfall_amount numeric(12, 2) CHECK (shortfall_amount >= 0),
      status text NOT NULL DEFAULT 'received'
        CHECK (status IN ('received', 'accepted', 'rejected', 'in_progress', 'resolved', 'closed')),
      received_at timestamptz NOT NULL DEFAULT now(),
      due_at timestamptz NOT NULL,
      version int NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((name_sealed IS NULL AND phone_sealed IS NULL) OR pii_key_id IS NOT NULL),
      CHECK ((phone_sealed IS NULL) = (phone_hash IS NULL)),
      -- A 投诉 is a consumer's own dispute: the bureau must be able to reach them.
      CHECK (kind = 'report' OR (name_sealed IS NOT NULL AND phone_sealed IS NOT NULL)),
      CHECK (due_at > received_at)
    );
    CREATE INDEX complaints_enterprise_idx ON complaints (enterprise_uscc)
      WHERE enterprise_uscc IS NOT NULL;
    CREATE INDEX complaints_queue_idx ON complaints (county_code, status, due_at);
    CREATE INDEX complaints_phone_hash_idx ON complaints (phone_hash) WHERE phone_hash IS NOT NULL;

    -- The timeline: public entries are shown to the citizen, internal ones only to handlers.
    CREATE TABLE complaint_events (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      complaint_id bigint NOT NULL REFERENCES complaints (id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind ~ '^[a-z_]{1,40}$'),
      is_public boolean NOT NULL,
      note text NOT NULL CHECK (length(note) <= 5000),
      actor text NOT NULL,
      occurred_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX complaint_events_complaint_idx ON complaint_events (complaint_id, occurred_at, id);

    CREATE TABLE complaint_photos (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      complaint_id bigint NOT NULL REFERENCES complaints (id) ON DELETE CASCADE,
      position smallint NOT NULL CHECK (position BETWEEN 1 AND 3),
      storage_key text NOT NULL UNIQUE,
      content_type text NOT NULL
        CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp', 'image/heic')),
      size_bytes int NOT NULL CHECK (size_bytes BETWEEN 1 AND 5242880),
      sha256 char(64) NOT NULL,
      original_name text NOT NULL CHECK (length(original_name) <= 100),
      UNIQUE (complaint_id, position)
    );

    -- A repeated submission with the same key answers with the first result. The answer holds the
    -- query code, so it is sealed like personal data and kept only for a day.
    CREATE TABLE idempotency_keys (
      scope text NOT NULL,
      key text NOT NULL CHECK (length(key) BETWEEN 8 AND 200),
      request_hash bytea NOT NULL,
      complaint_id bigint NOT NULL REFERENCES complaints (id) ON DELETE CASCADE,
      pii_key_id text NOT NULL,
      response_sealed bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (scope, key)
    );
    CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

    -- Abuse limits shared by every app instance: one row per bucket and fixed window.
    CREATE TABLE rate_limit_hits (
      bucket text NOT NULL CHECK (length(bucket) <= 200),
      window_start timestamptz NOT NULL,
      hits int NOT NULL CHECK (hits >= 0),
      PRIMARY KEY (bucket, window_start)
    );
    CREATE INDEX rate_limit_hits_window_idx ON rate_limit_hits (window_start);

    -- Wakes the outbox workers (LISTEN outbox) once per inserting statement, so writers need no
    -- extra round trip to notify.
    CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('outbox', '');
      RETURN NULL;
    END
    $$;
    CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
      FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
  `.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TRIGGER outbox_notify ON outbox;
    DROP FUNCTION outbox_notify();
    DROP TABLE rate_limit_hits;
    DROP TABLE idempotency_keys;
    DROP TABLE complaint_photos;
    DROP TABLE complaint_events;
    DROP TABLE complaints;
    DROP SEQUENCE complaint_tracking_seq;
    ALTER TABLE enterprises DROP COLUMN complaint_count;
  `.execute(db)
}
