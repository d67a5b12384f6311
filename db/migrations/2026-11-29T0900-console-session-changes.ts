import { sql, type Kysely } from 'kysely'

// Frozen once it has run anywhere: add a new migration instead of editing this one.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Every app instance keeps the console sessions it confirmed for a few seconds
    -- (api/services/admin/session-cache.ts). Any change that could end or narrow a session is
    -- announced on 'console_sessions', and every instance forgets what it holds. A session only
    -- seen again (last_seen_at moving forward) is not announced: that is every page view.
    CREATE FUNCTION console_sessions_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('console_sessions', '');
      RETURN NULL;
    END
    $$;
    CREATE TRIGGER operator_sessions_ended AFTER DELETE OR TRUNCATE ON operator_sessions
      FOR EACH STATEMENT EXECUTE FUNCTION console_sessions_changed();
    CREATE TRIGGER operator_sessions_changed AFTER UPDATE ON operator_sessions
      FOR EACH ROW WHEN (
        OLD.stage IS DISTINCT FROM NEW.stage
        OR OLD.expires_at IS DISTINCT FROM NEW.expires_at
        OR OLD.operator_id IS DISTINCT FROM NEW.operator_id
        OR OLD.token_hash IS DISTINCT FROM NEW.token_hash
        OR NEW.last_seen_at < OLD.last_seen_at
      )
      EXECUTE FUNCTION console_sessions_changed();
    CREATE TRIGGER operators_changed
      AFTER UPDATE OF username, role, county_code, disabled_at, must_change_password,
        totp_enabled_at OR DELETE OR TRUNCATE ON operators
      FOR EACH STATEMENT EXECUTE FUNCTION console_sessions_changed();
  `.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TRIGGER operators_changed ON operators;
    DROP TRIGGER operator_sessions_changed ON operator_sessions;
    DROP TRIGGER operator_sessions_ended ON operator_sessions;
    DROP FUNCTION console_sessions_changed();
  `.execute(db)
}
