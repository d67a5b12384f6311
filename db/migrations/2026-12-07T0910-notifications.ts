import { sql, type Kysely } from 'kysely'

// Frozen: never edit a migration that has run anywhere; add a new one.
//
// The notification channel to handlers (issue 24). notification_endpoints are the recipients a
// city_admin sets up: an e-mail address or a webhook URL (the county's chat robot), for one county
// or, with no county, for the city (told of every county's notices). A notice from the outbox
// (topic notify.notice) becomes one notification_deliveries row per recipient, unique on
// (notice_key, endpoint_id), so handling the notice again after a crash adds nothing. Deliveries
// are a queue like hotline_callbacks: retried with backoff, dead after the last try, kept after
// delivery so the console can count them.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE notification_endpoints (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      county_code char(6) REFERENCES counties (code),
      kind text NOT NULL CHECK (kind IN ('email', 'webhook')),
      address text NOT NULL CHECK (length(address) BETWEEN 3 AND 500),
      -- What the console calls it (科室, 值班群); never a resident's detail.
      label text NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
      enabled boolean NOT NULL DEFAULT true,
      created_by bigint REFERENCES operators (id),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (kind <> 'webhook' OR address ~ '^https?://'),
      CHECK (kind <> 'email' OR address ~ '^[^@[:space:]]+@[^@[:space:]]+$')
    );
    CREATE UNIQUE INDEX notification_endpoints_address_idx
      ON notification_endpoints (kind, address, coalesce(county_code, ''));

    CREATE TABLE notification_deliveries (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      notice_key text NOT NULL CHECK (length(notice_key) BETWEEN 1 AND 200),
      endpoint_id bigint NOT NULL REFERENCES notification_endpoints (id) ON DELETE CASCADE,
      -- The endpoint's kind, copied: a worker claims only the transports it is configured for.
      transport text NOT NULL CHECK (transport IN ('email', 'webhook')),
      -- The Standard Webhooks message id (and the e-mail's Message-ID): the same on every retry.
      webhook_id text NOT NULL UNIQUE CHECK (webhook_id ~ '^msg_[A-Za-z0-9]{16,64}$'),
      -- The notice as enqueued: type, title, text, data. Never a resident's detail.
      notice jsonb NOT NULL,
      state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
      attempts int NOT NULL DEFAULT 0 CHECK (attempts >= 0),
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      last_attempt_at timestamptz,
      last_status smallint,
      last_error text,
      delivered_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (notice_key, endpoint_id)
    );
    CREATE INDEX notification_deliveries_due_idx ON notification_deliveries (next_attempt_at, id)
      WHERE state = 'pending';
    CREATE INDEX notification_deliveries_endpoint_idx
      ON notification_deliveries (endpoint_id, state);

    CREATE FUNCTION notification_deliveries_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('notification_deliveries', '');
      RETURN NULL;
    END
    $$;
    CREATE TRIGGER notification_deliveries_notify
      AFTER INSERT OR UPDATE OF state ON notification_deliveries
      FOR EACH STATEMENT EXECUTE FUNCTION notification_deliveries_notify();
  `.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE notification_deliveries;
    DROP FUNCTION notification_deliveries_notify();
    DROP TABLE notification_endpoints;
  `.execute(db)
}
