import { sql, type Kysely } from 'kysely'

// Frozen once it has run anywhere: add a new migration instead of editing this one.
//
// 满意度与复核 (issue 25, item 3). After a web case is handled (办结 or 归档) its resident rates it
// on the tracking page: 满意 / 基本满意 / 不满意, with an optional comment, personal data sealed like
// the contact details (its own key id, since the contact may have been sealed under an older
// key). One rating per case. A 不满意 within 15 days of the outcome may ask for a review (申请复核),
// once: the case returns to the county's queue as `review` (复核中) with its own deadline.
//
// `review` runs against a deadline like the other open statuses, so the partial index of due
// cases is rebuilt with it.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE complaints DROP CONSTRAINT complaints_status_check;
    ALTER TABLE complaints ADD CONSTRAINT complaints_status_check CHECK (status IN (
      'received', 'accepted', 'rejected', 'in_progress', 'resolved', 'closed', 'returned', 'review'
    ));
    ALTER TABLE complaints
      ADD COLUMN rating text CHECK (rating IN ('satisfied', 'basically_satisfied', 'unsatisfied')),
      ADD COLUMN rating_comment_sealed bytea,
      ADD COLUMN rating_key_id text,
      ADD COLUMN rated_at timestamptz,
      ADD COLUMN review_requested_at timestamptz,
      ADD CONSTRAINT complaints_rated_check CHECK ((rating IS NULL) = (rated_at IS NULL)),
      ADD CONSTRAINT complaints_review_check
        CHECK (review_requested_at IS NULL OR rating = 'unsatisfied');
    DROP INDEX complaints_due_idx;
    CREATE INDEX complaints_due_idx ON complaints (due_at)
      WHERE status IN ('received', 'accepted', 'in_progress', 'review');
    CREATE INDEX complaints_rated_idx ON complaints (rated_at) WHERE rated_at IS NOT NULL;
  `.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    UPDATE complaints SET status = 'in_progress' WHERE status = 'review';
    DROP INDEX complaints_rated_idx;
    DROP INDEX complaints_due_idx;
    CREATE INDEX complaints_due_idx ON complaints (due_at)
      WHERE status IN ('received', 'accepted', 'in_progress');
    ALTER TABLE complaints
      DROP CONSTRAINT complaints_review_check,
      DROP CONSTRAINT complaints_rated_check,
      DROP COLUMN review_requested_at,
      DROP COLUMN rated_at,
      DROP COLUMN rating_key_id,
      DROP COLUMN rating_comment_sealed,
      DROP COLUMN rating;
    ALTER TABLE complaints DROP CONSTRAINT complaints_status_check;
    ALTER TABLE complaints ADD CONSTRAINT complaints_status_check CHECK (status IN (
      'received', 'accepted', 'rejected', 'in_progress', 'resolved', 'closed', 'returned'
    ));
  `.execute(db)
}
