import { sql, type Kysely } from 'kysely'

// Frozen once it has run anywhere: add a new migration instead of editing this one.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Cases from the 12345 hotline (DESIGN.md section 5). No row used the old spelling.
    ALTER TABLE complaints DROP CONSTRAINT complaints_channel_check;
    UPDATE complaints SET channel = 'hotline12345' WHERE channel = 'hotline';
    ALTER TABLE complaints ALTER COLUMN channel SET DEFAULT 'web';
    ALTER TABLE complaints ADD CONSTRAINT complaints_channel_check
      CHECK (channel IN ('web', 'hotline12345'));

    -- 退单: the hotline approved our request to return the ticket; the case leaves the queue.
    ALTER TABLE complaints DROP CONSTRAINT complaints_status_check;
    ALTER TABLE complaints ADD CONSTRAINT complaints_status_check CHECK (status IN (
      'received', 'accepted', 'rejected', 'in_progress', 'resolved', 'closed', 'returned'
    ));

    -- A web 投诉 must carry its author's contact details; a hotline ticket carries what the
    -- hotline recorded, which may be nothing for an anonymous caller.
    DO $$
    DECLARE c record;
    BEGIN
      FOR c IN
        SELECT conname FROM pg_constraint
        WHERE conrelid = 'complaints'::regclass AND contype = 'c'
          AND pg_get_constraintdef(oid) LIKE '%name_sealed IS NOT NULL) AND (phone_sealed IS NOT NULL%'
      LOOP
        EXECUTE format('ALTER TABLE complaints DROP CONSTRAINT %I', c.conname);
      END LOOP;
    END
    $$;
    ALTER TABLE complaints ADD CONSTRAINT complaints_contact_check CHECK (
      kind = 'report' OR channel <> 'web' OR (name_sealed IS NOT NULL AND phone_sealed IS NOT NULL)
    );

    -- 0 normal, 1 urged (催办), 2 supervised (督办): raised cases come first in the queue.
    ALTER TABLE complaints ADD COLUMN priority smallint NOT NULL DEFAULT 0
      CHECK (priority BETWEEN 0 AND 2);

    -- One row per hotline work order (工单), linked to the case it became.
    CREATE TABLE hotline_tickets (
      ticket_no text PRIMARY KEY CHECK (ticket_no ~ '^[A-Za-z0-9-]{1,64}$'),
      complaint_id bigint NOT NULL UNIQUE REFERENCES complaints (id) ON DELETE CASCADE,
      appeal_type text NOT NULL CHECK (appeal_type IN ('投诉', '举报', '咨询', '建议', '求助')),
      urgency text NOT NULL CHECK (urgency IN ('normal', 'urgent')),
      title text NOT NULL CHECK (length(title) <= 200),
      host_dept text,
      assist_depts text[] NOT NULL DEFAULT '{}',
      attachments jsonb NOT NULL DEFAULT '[]',
      assigned_at timestamptz NOT NULL,
      -- The ticket's 办结期限, moved by an approved extension.
      deadline timestamptz NOT NULL,
      urge_count int NOT NULL DEFAULT 0 CHECK (urge_count >= 0),
      supervised_at timestamptz,
      return_state text NOT NULL DEFAULT 'none'
        CHECK (return_state IN ('none', 'requested', 'approved', 'rejected')),
      extension_state text NOT NULL DEFAULT 'none'
        CHECK (extension_state IN ('none', 'requested', 'approved', 'rejected')),
      satisfaction text CHECK (satisfaction IN ('satisfied', 'basically_satisfied', 'dissatisfied')),
      -- occurred_at of the latest applied event: an older one arriving later is folded in order.
      last_event_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    -- Every signed event, stored before it is answered and keyed by webhook-id, so a retry is
    -- answered as the first delivery was and changes nothing. The body holds the caller's name
    -- and phone, so it is sealed like any personal data (api/privacy/pii.ts).
    CREATE TABLE hotline_inbox (
      webhook_id text PRIMARY KEY CHECK (length(webhook_id) BETWEEN 1 AND 256),
      webhook_timestamp timestamptz NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now(),
      body_sha256 bytea NOT NULL CHECK (length(body_sha256) = 32),
      pii_key_id text NOT NULL,
      body_sealed bytea NOT NULL,
      -- Null for an event that failed the schema.
      event_type text,
      ticket_no text,
      occurred_at timestamptz,
      -- pending: stored, not applied; held: waits for its ticket's dispatch; applied; rejected.
      state text NOT NULL CHECK (state IN ('pending', 'held', 'applied', 'rejected')),
      response_status smallint NOT NULL,
      response_body jsonb NOT NULL,
      errors jsonb,
      attempts int NOT NULL DEFAULT 0,
      last_error text,
      available_at timestamptz NOT NULL DEFAULT now(),
      applied_at timestamptz,
      CHECK (state = 'rejected' OR (event_type IS NOT NULL AND ticket_no IS NOT NULL
        AND occurred_at IS NOT NULL))
    );
    CREATE INDEX hotline_inbox_pending_idx ON hotline_inbox (available_at)
      WHERE state = 'pending';
    CREATE INDEX hotline_inbox_ticket_idx ON hotline_inbox (ticket_no, occurred_at, webhook_id);
    CREATE INDEX hotline_inbox_rejected_idx ON hotline_inbox (received_at DESC)
      WHERE state = 'rejected';

    -- Wakes the inbox workers (LISTEN hotline_inbox) when a city_admin sends a rejected event
    -- back to pending. New events do not notify from the insert: a NOTIFY holds a cluster-wide
    -- lock through the commit's WAL flush, which would make every delivery wait for the one
    -- before it. The receiving process notifies instead, once for a burst (api/services/hotline/
    -- inbox.ts).
    CREATE FUNCTION hotline_inbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('hotline_inbox', '');
      RETURN NULL;
    END
    $$;
    CREATE TRIGGER hotline_inbox_notify AFTER UPDATE OF state ON hotline_inbox
      FOR EACH ROW WHEN (NEW.state = 'pending' AND OLD.state <> 'pending')
      EXECUTE FUNCTION hotline_inbox_notify();
  `.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE hotline_inbox;
    DROP FUNCTION hotline_inbox_notify();
    DROP TABLE hotline_tickets;
    DELETE FROM complaints WHERE channel = 'hotline12345' OR status = 'returned';
    ALTER TABLE complaints DROP COLUMN priority;
    ALTER TABLE complaints DROP CONSTRAINT complaints_contact_check;
    ALTER TABLE complaints ADD CONSTRAINT complaints_contact_check CHECK (
      kind = 'report' OR (name_sealed IS NOT NULL AND phone_sealed IS NOT NULL)
    );
    ALTER TABLE complaints DROP CONSTRAINT complaints_status_check;
    ALTER TABLE complaints ADD CONSTRAINT complaints_status_check CHECK (status IN (
      'received', 'accepted', 'rejected', 'in_progress', 'resolved', 'closed'
    ));
    ALTER TABLE complaints DROP CONSTRAINT complaints_channel_check;
    ALTER TABLE complaints ADD CONSTRAINT complaints_channel_check
      CHECK (channel IN ('web', 'hotline'));
  `.execute(db)
}
