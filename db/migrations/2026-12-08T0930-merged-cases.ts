import { sql, type Kysely } from 'kysely'

// Frozen once it has run anywhere: add a new migration instead of editing this one.
//
// 合并办理 (issue 25, item 4). A handler merges a likely duplicate into the case they handle: the
// duplicate becomes `merged` (已合并办理) and points at that case, which is handled once for
// everyone. Each resident keeps their own tracking number and query code; their tracking page
// shows the handling of the case theirs was merged into. A merged case runs against no deadline
// of its own, so it leaves the due index (which lists the open statuses only) by itself.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE complaints DROP CONSTRAINT complaints_status_check;
    ALTER TABLE complaints ADD CONSTRAINT complaints_status_check CHECK (status IN (
      'received', 'accepted', 'rejected', 'in_progress', 'resolved', 'closed', 'returned', 'review',
      'merged'
    ));
    ALTER TABLE complaints
      ADD COLUMN merged_into bigint REFERENCES complaints (id),
      ADD COLUMN merged_at timestamptz,
      ADD CONSTRAINT complaints_merged_check CHECK (
        (status = 'merged') = (merged_into IS NOT NULL)
        AND (merged_into IS NULL) = (merged_at IS NULL)
        AND merged_into IS DISTINCT FROM id
      );
    CREATE INDEX complaints_merged_into_idx ON complaints (merged_into)
      WHERE merged_into IS NOT NULL;
  `.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    UPDATE complaints SET status = 'received', merged_into = NULL, merged_at = NULL
      WHERE status = 'merged';
    DROP INDEX complaints_merged_into_idx;
    ALTER TABLE complaints
      DROP CONSTRAINT complaints_merged_check,
      DROP COLUMN merged_at,
      DROP COLUMN merged_into;
    ALTER TABLE complaints DROP CONSTRAINT complaints_status_check;
    ALTER TABLE complaints ADD CONSTRAINT complaints_status_check CHECK (status IN (
      'received', 'accepted', 'rejected', 'in_progress', 'resolved', 'closed', 'returned', 'review'
    ));
  `.execute(db)
}
