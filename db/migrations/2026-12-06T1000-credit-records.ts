import { sql, type Kysely } from 'kysely'

// Frozen: never edit a migration that has run anywhere; add a new one.
//
// The metrology credit record (DESIGN.md section 7): market entities not on the certified list,
// self-commitments, special-inspection campaigns with their random draw and visits, case findings,
// administrative penalties, objections and corrections, and the credit grade with its history.
// Every record table names its business by credit code only (no foreign key to enterprises): a
// record may concern a business that is certified, a market entity, or one that becomes either.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- A business named in an inspection, a substantiated case or a penalty that is not on the
    -- certified list. One found on the list is read from enterprises instead.
    CREATE TABLE market_entities (
      uscc char(18) PRIMARY KEY CHECK (uscc ~ '^[0-9A-HJ-NPQRTUWXY]{18}$'),
      name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
      county_code char(6) NOT NULL REFERENCES counties (code),
      sector_code text NOT NULL REFERENCES sectors (code),
      address text NOT NULL DEFAULT '' CHECK (length(address) <= 500),
      is_demo boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX market_entities_county_idx ON market_entities (county_code, sector_code);

    -- The audit log names market entities too.
    ALTER TABLE audit_log DROP CONSTRAINT audit_log_enterprise_uscc_fkey;

    -- 经营者自我承诺: the latest not withdrawn is the business's commitment.
    CREATE TABLE commitments (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      uscc char(18) NOT NULL CHECK (uscc ~ '^[0-9A-HJ-NPQRTUWXY]{18}$'),
      text_version text NOT NULL CHECK (text_version ~ '^[a-z0-9][a-z0-9-]{0,39}$'),
      signed_on date NOT NULL,
      -- The signer's role (法定代表人, 负责人...), never a person's name or ID number.
      signer_role text NOT NULL CHECK (length(btrim(signer_role)) BETWEEN 1 AND 50),
      source text NOT NULL CHECK (length(source) <= 200),
      withdrawn_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX commitments_uscc_idx ON commitments (uscc, signed_on DESC, id DESC);

    CREATE TABLE inspection_kinds (
      code text PRIMARY KEY CHECK (code ~ '^[a-z_]+$'),
      name text NOT NULL UNIQUE,
      sort_order int NOT NULL
    );
    INSERT INTO inspection_kinds (code, name, sort_order) VALUES
      ('fuel_dispenser', '加油机', 1),
      ('taxi_meter', '出租车计价器', 2),
      ('market_scale', '集贸市场（超市）衡器', 3),
      ('utility_meter', '民用“三表”', 4),
      ('optical', '眼镜制配场所', 5),
      ('legal_units', '法定计量单位使用', 6);

    -- 专项检查 with its 双随机 draw. A county handler's campaign covers its own county only
    -- (owner_county_code); a city administrator's any counties (owner NULL).
    CREATE TABLE inspection_campaigns (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      title text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 100),
      kind text NOT NULL REFERENCES inspection_kinds (code),
      starts_on date NOT NULL,
      ends_on date NOT NULL,
      county_codes char(6)[] NOT NULL CHECK (cardinality(county_codes) >= 1),
      sector_codes text[] NOT NULL CHECK (cardinality(sector_codes) >= 1),
      draw_size int NOT NULL CHECK (draw_size BETWEEN 1 AND 10000),
      inspectors_per_visit int NOT NULL DEFAULT 2 CHECK (inspectors_per_visit BETWEEN 2 AND 5),
      owner_county_code char(6) REFERENCES counties (code),
      status text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'drawn', 'closed')),
      -- The draw, recorded so anyone can re-run it: the seed, the method's name and version, the
      -- weights by grade, and the pool in order (each business's code and grade at draw time).
      drawn_at timestamptz,
      draw_seed text,
      draw_method text,
      draw_weights jsonb,
      draw_pool jsonb,
      -- The results page is public from here (the console's 公示, or the sweep when results are due).
      published_at timestamptz,
      created_by bigint REFERENCES operators (id),
      version int NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (ends_on >= starts_on),
      CHECK ((status = 'planned') = (drawn_at IS NULL)),
      CHECK (drawn_at IS NULL OR (draw_seed IS NOT NULL AND draw_method IS NOT NULL
        AND draw_weights IS NOT NULL AND draw_pool IS NOT NULL))
    );
    CREATE INDEX inspection_campaigns_status_idx ON inspection_campaigns (status, starts_on DESC);

    -- An inspector may not be drawn for a business they have declared an interest in (回避).
    CREATE TABLE inspector_recusals (
      operator_id bigint NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
      uscc char(18) NOT NULL CHECK (uscc ~ '^[0-9A-HJ-NPQRTUWXY]{18}$'),
      reason text NOT NULL CHECK (length(btrim(reason)) BETWEEN 1 AND 500),
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (operator_id, uscc)
    );
    CREATE INDEX inspector_recusals_uscc_idx ON inspector_recusals (uscc);

    -- One drawn business's visit, its result, the order to rectify and the follow-up.
    CREATE TABLE inspection_visits (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      campaign_id bigint NOT NULL REFERENCES inspection_campaigns (id) ON DELETE CASCADE,
      uscc char(18) NOT NULL CHECK (uscc ~ '^[0-9A-HJ-NPQRTUWXY]{18}$'),
      county_code char(6) NOT NULL REFERENCES counties (code),
      draw_rank int NOT NULL CHECK (draw_rank >= 1),
      status text NOT NULL DEFAULT 'planned'
        CHECK (status IN ('planned', 'recorded', 'rectifying', 'closed')),
      visited_on date,
      result text CHECK (result IN ('pass', 'fail')),
      findings text NOT NULL DEFAULT '' CHECK (length(findings) <= 2000),
      rectification_due date,
      follow_up_on date,
      follow_up_result text CHECK (follow_up_result IN ('rectified', 'not_rectified')),
      follow_up_note text NOT NULL DEFAULT '' CHECK (length(follow_up_note) <= 2000),
      recorded_at timestamptz,
      -- Public from here; results are due 20 working days after the visit.
      published_at timestamptz,
      version int NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (campaign_id, uscc),
      UNIQUE (campaign_id, draw_rank),
      CHECK ((status = 'planned') = (visited_on IS NULL)),
      CHECK (status = 'planned' OR result IS NOT NULL),
      CHECK (rectification_due IS NULL OR rectification_due >= visited_on),
      CHECK ((follow_up_on IS NULL) = (follow_up_result IS NULL))
    );
    CREATE INDEX inspection_visits_uscc_idx ON inspection_visits (uscc, visited_on DESC);
    CREATE INDEX inspection_visits_county_idx ON inspection_visits (county_code, status);

    CREATE TABLE visit_inspectors (
      visit_id bigint NOT NULL REFERENCES inspection_visits (id) ON DELETE CASCADE,
      operator_id bigint NOT NULL REFERENCES operators (id),
      PRIMARY KEY (visit_id, operator_id)
    );
    CREATE INDEX visit_inspectors_operator_idx ON visit_inspectors (operator_id);

    -- Each instrument checked at a visit (计量器具).
    CREATE TABLE inspected_instruments (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      visit_id bigint NOT NULL REFERENCES inspection_visits (id) ON DELETE CASCADE,
      position smallint NOT NULL CHECK (position BETWEEN 1 AND 50),
      instrument_kind text NOT NULL CHECK (length(btrim(instrument_kind)) BETWEEN 1 AND 50),
      maker_model text NOT NULL DEFAULT '' CHECK (length(maker_model) <= 100),
      serial_no text NOT NULL DEFAULT '' CHECK (length(serial_no) <= 100),
      -- 强制检定 in date at the visit.
      verification_valid boolean NOT NULL,
      passed boolean NOT NULL,
      -- The measured error as the inspector wrote it, e.g. "-0.35%" or "+5 g".
      measured_error text NOT NULL DEFAULT '' CHECK (length(measured_error) <= 50),
      UNIQUE (visit_id, position)
    );

    CREATE TABLE visit_photos (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      visit_id bigint NOT NULL REFERENCES inspection_visits (id) ON DELETE CASCADE,
      position smallint NOT NULL CHECK (position BETWEEN 1 AND 10),
      storage_key text NOT NULL UNIQUE,
      content_type text NOT NULL
        CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp', 'image/heic')),
      size_bytes int NOT NULL CHECK (size_bytes BETWEEN 1 AND 5242880),
      sha256 char(64) NOT NULL,
      original_name text NOT NULL CHECK (length(original_name) <= 100),
      UNIQUE (visit_id, position)
    );

    -- 行政处罚. Public from published_at until publish_until (by kind, configuration); taken
    -- down after, when it leaves every public surface and the grade but stays in the console.
    CREATE TABLE penalties (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      uscc char(18) NOT NULL CHECK (uscc ~ '^[0-9A-HJ-NPQRTUWXY]{18}$'),
      county_code char(6) NOT NULL REFERENCES counties (code),
      decision_no text NOT NULL UNIQUE CHECK (length(btrim(decision_no)) BETWEEN 1 AND 100),
      decided_on date NOT NULL,
      kind text NOT NULL
        CHECK (kind IN ('warning', 'fine', 'confiscation', 'suspension', 'revocation')),
      violation text NOT NULL CHECK (length(btrim(violation)) BETWEEN 1 AND 1000),
      penalty text NOT NULL CHECK (length(btrim(penalty)) BETWEEN 1 AND 500),
      legal_basis text NOT NULL CHECK (length(btrim(legal_basis)) BETWEEN 1 AND 500),
      -- The case it came from (立案查处), if any.
      complaint_id bigint REFERENCES complaints (id),
      published_at timestamptz,
      publish_until date NOT NULL,
      taken_down_at timestamptz,
      created_by bigint REFERENCES operators (id),
      version int NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (publish_until >= decided_on)
    );
    CREATE INDEX penalties_uscc_idx ON penalties (uscc, decided_on DESC);
    CREATE INDEX penalties_due_takedown_idx ON penalties (publish_until) WHERE taken_down_at IS NULL;

    -- A case's finding at closure and what followed (a penalty it led to is penalties.complaint_id).
    ALTER TABLE complaints
      ADD COLUMN finding text
        CHECK (finding IN ('substantiated', 'partly_substantiated', 'unfounded', 'unverifiable')),
      ADD COLUMN follow_up text
        CHECK (follow_up IN ('mediated', 'ordered', 'penalized', 'referred', 'none'));
    -- The record's substantiated cases of one business, read on every record request.
    CREATE INDEX complaints_record_idx ON complaints (enterprise_uscc, closed_at)
      WHERE finding IN ('substantiated', 'partly_substantiated') AND closed_at IS NOT NULL;
    CREATE INDEX complaints_record_merchant_idx ON complaints (merchant_uscc, closed_at)
      WHERE finding IN ('substantiated', 'partly_substantiated') AND closed_at IS NOT NULL;

    -- 异议: a business disputes one item of its record; a handler records the outcome.
    CREATE TABLE credit_objections (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      uscc char(18) NOT NULL CHECK (uscc ~ '^[0-9A-HJ-NPQRTUWXY]{18}$'),
      item_kind text NOT NULL CHECK (item_kind IN ('inspection', 'case', 'penalty', 'commitment')),
      item_id bigint NOT NULL,
      received_on date NOT NULL,
      statement text NOT NULL CHECK (length(btrim(statement)) BETWEEN 1 AND 2000),
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'upheld', 'rejected')),
      outcome_note text CHECK (length(outcome_note) <= 2000),
      decided_at timestamptz,
      decided_by bigint REFERENCES operators (id),
      created_by bigint REFERENCES operators (id),
      version int NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((status = 'pending') = (decided_at IS NULL))
    );
    CREATE INDEX credit_objections_uscc_idx ON credit_objections (uscc, created_at DESC);
    CREATE INDEX credit_objections_pending_idx ON credit_objections (created_at)
      WHERE status = 'pending';

    -- A correction of one record item (after an upheld objection): struck items no longer count
    -- and are shown with the note; amended ones count as amended.
    CREATE TABLE record_corrections (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      item_kind text NOT NULL CHECK (item_kind IN ('inspection', 'case', 'penalty', 'commitment')),
      item_id bigint NOT NULL,
      uscc char(18) NOT NULL,
      objection_id bigint REFERENCES credit_objections (id),
      effect text NOT NULL CHECK (effect IN ('struck', 'amended')),
      note text NOT NULL CHECK (length(btrim(note)) BETWEEN 1 AND 1000),
      corrected_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (item_kind, item_id)
    );
    CREATE INDEX record_corrections_uscc_idx ON record_corrections (uscc);

    -- The current grade of each business with a record, and every grade it has had.
    CREATE TABLE credit_grades (
      uscc char(18) PRIMARY KEY CHECK (uscc ~ '^[0-9A-HJ-NPQRTUWXY]{18}$'),
      grade char(1) NOT NULL CHECK (grade IN ('A', 'B', 'C', 'D')),
      rule_version text NOT NULL,
      reasons jsonb NOT NULL,
      -- The day the next item ages out of the window (信用修复), when one will.
      next_age_out date,
      computed_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX credit_grades_grade_idx ON credit_grades (grade);
    CREATE INDEX credit_grades_age_out_idx ON credit_grades (next_age_out)
      WHERE next_age_out IS NOT NULL;

    CREATE TABLE credit_grade_history (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      uscc char(18) NOT NULL,
      grade char(1) NOT NULL CHECK (grade IN ('A', 'B', 'C', 'D')),
      rule_version text NOT NULL,
      reasons jsonb NOT NULL,
      computed_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX credit_grade_history_uscc_idx ON credit_grade_history (uscc, computed_at DESC);

    -- What the static pages show changed: wake the site rebuilder.
    CREATE TRIGGER market_entities_site_data
      AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE ON market_entities
      FOR EACH STATEMENT EXECUTE FUNCTION site_data_notify();
    CREATE TRIGGER credit_grades_site_data
      AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE ON credit_grades
      FOR EACH STATEMENT EXECUTE FUNCTION site_data_notify();
    CREATE TRIGGER inspection_campaigns_site_data
      AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF published_at, status ON inspection_campaigns
      FOR EACH STATEMENT EXECUTE FUNCTION site_data_notify();
    CREATE TRIGGER inspection_visits_site_data
      AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE ON inspection_visits
      FOR EACH STATEMENT EXECUTE FUNCTION site_data_notify();
    CREATE TRIGGER penalties_site_data
      AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE ON penalties
      FOR EACH STATEMENT EXECUTE FUNCTION site_data_notify();
    CREATE TRIGGER commitments_site_data
      AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE ON commitments
      FOR EACH STATEMENT EXECUTE FUNCTION site_data_notify();
    CREATE TRIGGER record_corrections_site_data
      AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE ON record_corrections
      FOR EACH STATEMENT EXECUTE FUNCTION site_data_notify();
  `.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE credit_grade_history;
    DROP TABLE credit_grades;
    DROP TABLE record_corrections;
    DROP TABLE credit_objections;
    DROP INDEX complaints_record_merchant_idx;
    DROP INDEX complaints_record_idx;
    ALTER TABLE complaints DROP COLUMN follow_up, DROP COLUMN finding;
    DROP TABLE penalties;
    DROP TABLE visit_photos;
    DROP TABLE inspected_instruments;
    DROP TABLE visit_inspectors;
    DROP TABLE inspection_visits;
    DROP TABLE inspector_recusals;
    DROP TABLE inspection_campaigns;
    DROP TABLE inspection_kinds;
    DROP TABLE commitments;
    -- The log is append-only: entries naming a market entity stay, so the key is not validated.
    ALTER TABLE audit_log ADD CONSTRAINT audit_log_enterprise_uscc_fkey
      FOREIGN KEY (enterprise_uscc) REFERENCES enterprises (uscc) NOT VALID;
    DROP TABLE market_entities;
  `.execute(db)
}
