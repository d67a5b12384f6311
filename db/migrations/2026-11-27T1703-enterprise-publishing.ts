import { sql, type Kysely } from 'kysely'

// Frozen: never edit a migration that has run anywhere; add a new one.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- 信息变更: the console corrects a business's name, address, county or sector, with a reason
    -- kept in its public certification history.
    ALTER TABLE certification_events DROP CONSTRAINT certification_events_kind_check;
    ALTER TABLE certification_events ADD CONSTRAINT certification_events_kind_check
      CHECK (kind IN (
        'certified', 'renewed', 'suspended', 'reinstated', 'revoked', 'expired', 'amended'
      ));

    -- Every committed change to what the static pages show wakes the site rebuilder
    -- (scripts/site-rebuild.ts), whichever process made it: the console, an import, the expiry
    -- sweep. Once per statement, and only for the published columns: counting a complaint against
    -- a business (complaint_count) must not rebuild the site.
    CREATE FUNCTION site_data_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('site_data', '');
      RETURN NULL;
    END
    $$;
    CREATE TRIGGER enterprises_site_data
      AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF
        name, county_code, sector_code, address, certified_at, valid_until, status, status_since,
        is_demo, updated_at
      ON enterprises
      FOR EACH STATEMENT EXECUTE FUNCTION site_data_notify();
  `.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TRIGGER enterprises_site_data ON enterprises;
    DROP FUNCTION site_data_notify();
    DELETE FROM certification_events WHERE kind = 'amended';
    ALTER TABLE certification_events DROP CONSTRAINT certification_events_kind_check;
    ALTER TABLE certification_events ADD CONSTRAINT certification_events_kind_check
      CHECK (kind IN ('certified', 'renewed', 'suspended', 'reinstated', 'revoked', 'expired'));
  `.execute(db)
}
