import type { Kysely } from 'kysely'
import type { Database } from '../../../db/database.ts'
import { insertInboxEvents, type NewInboxEvent } from '../../../db/queries/hotline-inbox.ts'
import { createGroupCommit } from '../shared/group-commit.ts'

/**
 * Group commit for the hotline inbox (shared/group-commit.ts), as complaint intake does it:
 * deliveries arriving together are stored in one INSERT and one commit, one WAL flush per batch
 * instead of one per event. A delivery stored again after a failed batch is found by its
 * webhook-id and answered as stored.
 */
function createInboxBatcher(db: Kysely<Database>) {
  const group = createGroupCommit((rows: NewInboxEvent[]) => insertInboxEvents(db, rows), {
    maxBatch: 64,
    // One batch at a time while the backlog is short (the fewest commits); a second beside it
    // once 16 deliveries wait, so a burst keeps the process and the database busy at once
    // (intake-batcher.ts).
    maxInFlight: 2,
    minBatchBeside: 16,
  })
  return {
    /** Stores one delivery; the stored answer, or undefined when its id was stored before. */
    store: (row: NewInboxEvent): Promise<unknown> => group.submit(row),
  }
}

export type InboxBatcher = ReturnType<typeof createInboxBatcher>

const batchers = new WeakMap<Kysely<Database>, InboxBatcher>()

/** The batcher of a connection pool: one per process and database. */
export function inboxBatcherFor(db: Kysely<Database>): InboxBatcher {
  let batcher = batchers.get(db)
  if (!batcher) {
    batcher = createInboxBatcher(db)
    batchers.set(db, batcher)
  }
  return batcher
}
