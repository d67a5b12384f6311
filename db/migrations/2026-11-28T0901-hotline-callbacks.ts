import { sql, type Kysely } from 'kysely'

// Frozen once it has run anywhere: add a new migration instead of editing this one.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Answers to the hotline (DESIGN.md section 5), written in the transaction of the console
    -- action that makes them: the outbox of the hotline, kept after delivery so handlers can see
    -- what was sent. Per ticket they go out in id order; a later one waits behind an earlier one
    -- that is not delivered, dead ones included, until a city_admin retries it.
    CREATE TABLE hotline_callbacks (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      -- The Standard Webhooks message id: the same on every retry, so the receiver can dedupe.
      webhook_id text NOT NULL UNIQUE CHECK (webhook_id ~ '^msg_[A-Za-z0-9]{16,64}$'),
      ticket_no text NOT NULL REFERENCES hotline_tickets (ticket_no) ON DELETE CASCADE,
      complaint_id bigint NOT NULL REFERENCES complaints (id) ON DELETE CASCADE,
      event_type text NOT NULL CHECK (event_type IN ('ticket.signed', 'ticket.return_requested',
        'ticket.extension_requested', 'ticket.progress', 'ticket.completed')),
      payload jsonb NOT NULL,
      state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
      attempts int NOT NULL DEFAULT 0 CHECK (attempts >= 0),
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      last_attempt_at timestamptz,
      last_status smallint,
      last_error text,
      delivered_at timestamptz,
      operator_id bigint REFERENCES operators (id),
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX hotline_callbacks_open_idx ON hotline_callbacks (ticket_no, id)
      WHERE state <> 'delivered';
    CREATE INDEX hotline_callbacks_complaint_idx ON hotline_callbacks (complaint_id, id);
    CREATE INDEX hotline_callbacks_dead_idx ON hotline_callbacks (id) WHERE state = 'dead';

    CREATE FUNCTION hotline_callbacks_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('hotline_callbacks', '');
      RETURN NULL;
    END
    $$;
    CREATE TRIGGER hotline_callbacks_notify AFTER INSERT OR UPDATE OF state ON hotline_callbacks
      FOR EACH STATEMENT EXECUTE FUNCTION hotline_callbacks_notify();
  `.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE hotline_callbacks;
    DROP FUNCTION hotline_callbacks_notify();
  `.execute(db)
}
