import { sql, type Kysely } from 'kysely'

// Frozen: never edit a migration that has run anywhere; add a new one.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Bureau staff who sign in to the console (/admin).
    CREATE TABLE operators (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      username text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9_.-]{2,31}$'),
      role text NOT NULL CHECK (role IN ('city_admin', 'county_handler', 'viewer')),
      -- The county whose cases the operator works; NULL means every county (city level).
      county_code char(6) REFERENCES counties (code),
      -- PHC string of an Argon2id hash ($argon2id$v=19$m=…,t=…,p=…$salt$hash).
      password_hash text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
      -- A one-time password from admin:create must be replaced at first sign-in.
      must_change_password boolean NOT NULL DEFAULT true,
      -- TOTP secret, sealed like personal data; enabled once the operator proved a first code.
      totp_key_id text,
      totp_secret_sealed bytea,
      totp_enabled_at timestamptz,
      -- The last TOTP time step accepted, so one code cannot be used twice.
      totp_last_step bigint,
      failed_sign_ins int NOT NULL DEFAULT 0 CHECK (failed_sign_ins >= 0),
      locked_until timestamptz,
      disabled_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (role <> 'county_handler' OR county_code IS NOT NULL),
      CHECK (role <> 'city_admin' OR county_code IS NULL),
      CHECK ((totp_secret_sealed IS NULL) = (totp_key_id IS NULL)),
      CHECK (totp_enabled_at IS NULL OR totp_secret_sealed IS NOT NULL)
    );

    -- Console sessions. The cookie holds a random token; only its SHA-256 is stored, so a copy of
    -- the table signs nobody in. 'password'/'totp' sessions may only finish signing in.
    CREATE TABLE operator_sessions (
      token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
      operator_id bigint NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
      stage text NOT NULL CHECK (stage IN ('change_password', 'totp', 'active')),
      created_at timestamptz NOT NULL DEFAULT now(),
      last_seen_at timestamptz NOT NULL DEFAULT now(),
      -- Absolute end (12 hours after sign-in); the idle limit is checked against last_seen_at.
      expires_at timestamptz NOT NULL,
      client_address text NOT NULL DEFAULT '',
      user_agent text NOT NULL DEFAULT '' CHECK (length(user_agent) <= 300)
    );
    CREATE INDEX operator_sessions_operator_idx ON operator_sessions (operator_id);
    CREATE INDEX operator_sessions_expires_idx ON operator_sessions (expires_at);

    -- Append-only record of sign-ins, failures, personal-data reveals, photo views, case actions and
    -- enterprise changes. The application only inserts; the triggers refuse anything else.
    CREATE TABLE audit_log (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      occurred_at timestamptz NOT NULL DEFAULT now(),
      -- Who: an operator (NULL for a failed sign-in under an unknown name) and the name tried.
      operator_id bigint REFERENCES operators (id),
      username text NOT NULL CHECK (length(username) <= 100),
      action text NOT NULL CHECK (action ~ '^[a-z_.]{1,60}$'),
      complaint_id bigint REFERENCES complaints (id),
      enterprise_uscc char(18) REFERENCES enterprises (uscc),
      client_address text NOT NULL DEFAULT '',
      -- What else is worth knowing; never personal data.
      detail jsonb NOT NULL DEFAULT '{}'::jsonb
    );
    CREATE INDEX audit_log_time_idx ON audit_log (occurred_at DESC, id DESC);
    CREATE INDEX audit_log_operator_idx ON audit_log (operator_id, occurred_at DESC);
    CREATE INDEX audit_log_complaint_idx ON audit_log (complaint_id) WHERE complaint_id IS NOT NULL;
    CREATE INDEX audit_log_action_idx ON audit_log (action, occurred_at DESC);

    CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
    END
    $$;
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
    CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

    -- What handling a case records (the timeline keeps the history; these hold the current facts).
    ALTER TABLE complaints
      ADD COLUMN accepted_at timestamptz,
      -- 不予受理: a reason code from the console's list and its text.
      ADD COLUMN rejection_reason text CHECK (rejection_reason ~ '^[a-z_]{1,40}$'),
      ADD COLUMN rejection_note text CHECK (length(rejection_note) <= 2000),
      ADD COLUMN mediation_result text
        CHECK (mediation_result IN ('agreed', 'failed', 'withdrawn')),
      -- 办结: the handling result for the file and the reply the citizen reads.
      ADD COLUMN handling_result text CHECK (length(handling_result) <= 5000),
      ADD COLUMN public_reply text CHECK (length(public_reply) <= 5000),
      ADD COLUMN resolved_at timestamptz,
      ADD COLUMN closed_at timestamptz;
    CREATE INDEX complaints_due_idx ON complaints (due_at) WHERE status IN ('received', 'accepted', 'in_progress');
  `.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP INDEX complaints_due_idx;
    ALTER TABLE complaints
      DROP COLUMN accepted_at,
      DROP COLUMN rejection_reason,
      DROP COLUMN rejection_note,
      DROP COLUMN mediation_result,
      DROP COLUMN handling_result,
      DROP COLUMN public_reply,
      DROP COLUMN resolved_at,
      DROP COLUMN closed_at;
    DROP TABLE audit_log;
    DROP FUNCTION audit_log_append_only();
    DROP TABLE operator_sessions;
    DROP TABLE operators;
  `.execute(db)
}
