import type { Kysely } from 'kysely'
import type { Database } from '../../../db/database.ts'
import { insertInboxEvents, type NewInboxEvent } from '../../../db/queries/hotline-inbox.ts'

/**
 * Group commit for the hotline inbox, as complaint intake does it (intake-batcher.ts): a delivery
 * is stored at once while no insert is running; otherwise it waits for the running one and goes
 * with every delivery that waited meanwhile, up to 64, in one INSERT and one commit. A quiet
 * hotline waits for nothing; a burst costs one WAL flush per batch instead of one per event. Each
 * caller hears back only once its own row is committed.
 */
const maxBatch = 64

interface Waiting {
  row: NewInboxEvent
  resolve: (stored: unknown) => void
  reject: (error: unknown) => void
}

export function createInboxBatcher(db: Kysely<Database>) {
  const queue: Waiting[] = []
  let running = false

  const storeAlone = (w: Waiting) =>
    insertInboxEvents(db, [w.row]).then(([stored]) => w.resolve(stored), w.reject)

  async function send(batch: Waiting[]) {
    if (batch.length === 1) return storeAlone(batch[0]!)
    try {
      const stored = await insertInboxEvents(
        db,
        batch.map((w) => w.row),
      )
      batch.forEach((w, i) => w.resolve(stored[i]))
    } catch {
      // Nothing of the batch was committed, or (a connection lost at commit) it is unknown: each
      // is stored again on its own, so one bad row cannot fail the others, and a row that did
      // commit is found by its webhook-id and answered as stored.
      await Promise.all(batch.map(storeAlone))
    }
  }

  function pump() {
    if (running || queue.length === 0) return
    running = true
    const batch = queue.splice(0, maxBatch)
    void send(batch).finally(() => {
      running = false
      pump()
    })
  }

  return {
    /** Stores one delivery; the stored answer, or undefined when its id was stored before. */
    store(row: NewInboxEvent): Promise<unknown> {
      return new Promise((resolve, reject) => {
        queue.push({ row, resolve, reject })
        pump()
      })
    },
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
