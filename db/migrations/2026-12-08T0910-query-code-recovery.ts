import { sql, type Kysely } from 'kysely'

// Frozen once it has run anywhere: add a new migration instead of editing this one.
//
// A lost query code recovered by SMS (issue 25, item 2). A resident who gives a case's tracking
// number and the phone they left receives a six-digit code; query_code_recoveries keeps its keyed
// hash (never the code), when it expires (five minutes) and how many wrong tries it took (three
// at most). Entering it issues a new query code: the case's hash is replaced, so the old code
// stops working.
//
// The code goes out as an urgent sms_messages row (event recovery_code, sent in quiet hours
// too) with an expiry: a message still unsent when its code has expired is given up, and the
// code is blanked from the row once the message is sent or given up.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE query_code_recoveries (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      complaint_id bigint NOT NULL REFERENCES complaints (id),
      code_hash bytea NOT NULL,
      expires_at timestamptz NOT NULL,
      tries int NOT NULL DEFAULT 0 CHECK (tries >= 0),
      used_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX query_code_recoveries_complaint_idx ON query_code_recoveries (complaint_id, id);
    CREATE INDEX query_code_recoveries_created_idx ON query_code_recoveries (created_at);

    ALTER TABLE sms_messages DROP CONSTRAINT sms_messages_event_check;
    ALTER TABLE sms_messages ADD CONSTRAINT sms_messages_event_check CHECK (event IN ('accepted',
      'rejected', 'replied', 'closed', 'reward_granted', 'recovery_code'));
    ALTER TABLE sms_messages ADD COLUMN expires_at timestamptz;
  `.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DELETE FROM sms_messages WHERE event = 'recovery_code';
    ALTER TABLE sms_messages DROP COLUMN expires_at;
    ALTER TABLE sms_messages DROP CONSTRAINT sms_messages_event_check;
    ALTER TABLE sms_messages ADD CONSTRAINT sms_messages_event_check CHECK (event IN ('accepted',
      'rejected', 'replied', 'closed', 'reward_granted'));
    DROP TABLE query_code_recoveries;
  `.execute(db)
}
