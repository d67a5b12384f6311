import { sql, type Kysely } from 'kysely'

// Frozen: never edit a migration that has run anywhere; add a new one.
//
// What early warning writes for each complaint, cut to what intake can carry at 500 a second
// (issue 24, acceptance 7).
// - A warning's cases are no longer rows of their own: they are the complaints filed under its
//   subject that were received from cases_from (the start of the window it fired on) until it
//   closed. Joining a warning is an update of that warning only, not a row per complaint and
//   warning (four or five per complaint during a flood: half of detection's database time).
// - complaint_subjects loses its foreign keys. It is a derived index, written by the worker in
//   batches of up to 2,000 complaints: each key check locked the complaint's row, on the very
//   pages intake is inserting into, and the county's row that every intake transaction locks too.
//   Complaints are never deleted (personal data is erased in place), and the county comes from the
//   complaint, which has its own key.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE complaint_subjects DROP CONSTRAINT complaint_subjects_complaint_id_fkey;
    ALTER TABLE complaint_subjects DROP CONSTRAINT complaint_subjects_county_code_fkey;

    ALTER TABLE warnings ADD COLUMN cases_from timestamptz;
    UPDATE warnings w SET cases_from = coalesce(
      (SELECT min(c.received_at) FROM warning_cases wc JOIN complaints c ON c.id = wc.complaint_id
        WHERE wc.warning_id = w.id),
      w.fired_at - make_interval(hours => w.window_hours));
    ALTER TABLE warnings ALTER COLUMN cases_from SET NOT NULL;
    CREATE INDEX warnings_subject_idx ON warnings (subject_kind, subject_key, cases_from);

    DROP TABLE warning_cases;
  `.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE warning_cases (
      warning_id bigint NOT NULL REFERENCES warnings (id) ON DELETE CASCADE,
      complaint_id bigint NOT NULL REFERENCES complaints (id) ON DELETE CASCADE,
      joined_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (warning_id, complaint_id)
    );
    CREATE INDEX warning_cases_complaint_idx ON warning_cases (complaint_id);
    INSERT INTO warning_cases (warning_id, complaint_id)
    SELECT w.id, cs.complaint_id FROM warnings w JOIN complaint_subjects cs
      ON cs.subject_kind = w.subject_kind AND cs.subject_key = w.subject_key
      AND cs.received_at >= w.cases_from AND (w.closed_at IS NULL OR cs.received_at <= w.closed_at)
    ON CONFLICT DO NOTHING;
    DROP INDEX warnings_subject_idx;
    ALTER TABLE warnings DROP COLUMN cases_from;

    ALTER TABLE complaint_subjects ADD CONSTRAINT complaint_subjects_complaint_id_fkey
      FOREIGN KEY (complaint_id) REFERENCES complaints (id) ON DELETE CASCADE;
    ALTER TABLE complaint_subjects ADD CONSTRAINT complaint_subjects_county_code_fkey
      FOREIGN KEY (county_code) REFERENCES counties (code);
  `.execute(db)
}
