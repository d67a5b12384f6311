import { sql, type Kysely } from 'kysely'

// Frozen: never edit a migration that has run anywhere; add a new one.
//
// Early warning (issue 24). Each complaint is filed under the subjects it names (a business, an
// address cluster, a category in a county, an instrument kind, a 12345 ticket) in
// complaint_subjects, so a window's count and a subject's own baseline are index range scans.
// A warning is one subject's cluster: at most one is open (open or acknowledged) per subject, and
// new cases join it (warning_cases). warning_thresholds holds the fixed thresholds the bureau sets
// beside the statistical rule.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE complaint_subjects (
      complaint_id bigint NOT NULL REFERENCES complaints (id) ON DELETE CASCADE,
      subject_kind text NOT NULL CHECK (subject_kind IN
        ('business', 'address', 'county_category', 'instrument', 'hotline_ticket')),
      subject_key text NOT NULL CHECK (length(subject_key) BETWEEN 1 AND 300),
      county_code char(6) NOT NULL REFERENCES counties (code),
      received_at timestamptz NOT NULL,
      PRIMARY KEY (complaint_id, subject_kind, subject_key)
    );
    CREATE INDEX complaint_subjects_window_idx
      ON complaint_subjects (subject_kind, subject_key, received_at);

    CREATE TABLE warnings (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      subject_kind text NOT NULL CHECK (subject_kind IN
        ('business', 'address', 'county_category', 'instrument', 'hotline_ticket')),
      subject_key text NOT NULL CHECK (length(subject_key) BETWEEN 1 AND 300),
      subject_label text NOT NULL CHECK (length(subject_label) BETWEEN 1 AND 300),
      county_code char(6) REFERENCES counties (code),
      severity smallint NOT NULL CHECK (severity BETWEEN 1 AND 3),
      rule text NOT NULL CHECK (rule IN ('baseline', 'threshold', 'urged')),
      window_hours integer NOT NULL CHECK (window_hours > 0),
      window_count integer NOT NULL CHECK (window_count > 0),
      expected numeric(12, 4) NOT NULL CHECK (expected >= 0),
      state text NOT NULL DEFAULT 'open'
        CHECK (state IN ('open', 'acknowledged', 'handled', 'dismissed')),
      fired_at timestamptz NOT NULL DEFAULT now(),
      last_case_at timestamptz NOT NULL,
      acknowledged_at timestamptz,
      acknowledged_by bigint REFERENCES operators (id),
      closed_at timestamptz,
      closed_by bigint REFERENCES operators (id),
      action text CHECK (action IN ('inspection', 'merged', 'mediated', 'other')),
      closing_note text CHECK (length(closing_note) <= 500),
      version integer NOT NULL DEFAULT 1,
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((state IN ('handled', 'dismissed')) = (closed_at IS NOT NULL)),
      CHECK ((state = 'handled') = (action IS NOT NULL)),
      CHECK (state <> 'dismissed' OR length(closing_note) > 0)
    );
    CREATE UNIQUE INDEX warnings_one_open_idx ON warnings (subject_kind, subject_key)
      WHERE state IN ('open', 'acknowledged');
    CREATE INDEX warnings_list_idx ON warnings (county_code, fired_at DESC);

    CREATE TABLE warning_cases (
      warning_id bigint NOT NULL REFERENCES warnings (id) ON DELETE CASCADE,
      complaint_id bigint NOT NULL REFERENCES complaints (id) ON DELETE CASCADE,
      joined_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (warning_id, complaint_id)
    );
    CREATE INDEX warning_cases_complaint_idx ON warning_cases (complaint_id);

    CREATE TABLE warning_thresholds (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      subject_kind text NOT NULL CHECK (subject_kind IN
        ('business', 'address', 'county_category', 'instrument', 'hotline_ticket')),
      county_code char(6) REFERENCES counties (code),
      window_hours integer NOT NULL CHECK (window_hours BETWEEN 1 AND 720),
      min_count integer NOT NULL CHECK (min_count BETWEEN 2 AND 10000),
      severity smallint NOT NULL CHECK (severity BETWEEN 1 AND 3),
      updated_by bigint REFERENCES operators (id),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX warning_thresholds_subject_idx
      ON warning_thresholds (subject_kind, coalesce(county_code, ''));
  `.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE warning_thresholds;
    DROP TABLE warning_cases;
    DROP TABLE warnings;
    DROP TABLE complaint_subjects;
  `.execute(db)
}
