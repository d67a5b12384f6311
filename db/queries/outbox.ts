import { sql, type Kysely, type Transaction } from 'kysely'
import type { Database, OutboxRow } from '../database.ts'

export interface OutboxMessage {
  topic: string
  aggregateKey: string
  payload: unknown
}

/** The channel a worker LISTENs on, so it wakes as soon as a message commits. */
export const outboxChannel = 'outbox'

/**
 * Writes messages inside the caller's transaction: they exist exactly when its data does. A
 * trigger on the table notifies the workers when the transaction commits.
 */
export async function enqueue(trx: Transaction<Database>, messages: readonly OutboxMessage[]) {
  for (let i = 0; i < messages.length; i += 1000) {
    const chunk = messages.slice(i, i + 1000)
    await trx
      .insertInto('outbox')
      .values(
        chunk.map((m) => ({
          topic: m.topic,
          aggregateKey: m.aggregateKey,
          payload: JSON.stringify(m.payload),
        })),
      )
      .execute()
  }
}

/**
 * Leases up to `limit` due messages to one worker. Rows are locked with SKIP LOCKED so concurrent
 * workers never take the same row, and only the oldest pending message of each aggregate key is
 * eligible, so messages about one thing are handled in order. The lease (moving `available_at`
 * forward) means a worker that dies mid-way loses nothing: the message is due again afterwards.
 */
export async function claimDue(
  db: Kysely<Database>,
  options: { limit: number; leaseSeconds: number; topics?: readonly string[] },
): Promise<OutboxRow[]> {
  const topics = options.topics ?? null
  const result = await sql<OutboxRow>`
    WITH due AS (
      SELECT o.id
      FROM outbox o
      WHERE o.state = 'pending'
        AND o.available_at <= now()
        AND (${topics}::text[] IS NULL OR o.topic = ANY(${topics}::text[]))
        AND NOT EXISTS (
          SELECT 1 FROM outbox p
          WHERE p.aggregate_key = o.aggregate_key AND p.state = 'pending' AND p.id < o.id
        )
      ORDER BY o.id
      LIMIT ${options.limit}
      FOR UPDATE SKIP LOCKED
    )
    UPDATE outbox o
    SET available_at = now() + make_interval(secs => ${options.leaseSeconds}),
        attempts = o.attempts + 1
    FROM due
    WHERE o.id = due.id
    RETURNING o.id, o.topic, o.aggregate_key AS "aggregateKey", o.payload, o.state, o.attempts,
      o.max_attempts AS "maxAttempts", o.available_at AS "availableAt", o.last_error AS "lastError",
      o.created_at AS "createdAt", o.processed_at AS "processedAt"
  `.execute(db.withoutPlugins())
  return result.rows.sort((a, b) => Number(a.id) - Number(b.id))
}

/** A handled message is deleted: the outbox carries changes, it does not keep them. */
export async function markDone(db: Kysely<Database>, ids: readonly string[]) {
  if (ids.length === 0) return
  await db.deleteFrom('outbox').where('id', 'in', ids).execute()
}

/** Schedules another attempt with exponential backoff, or marks the message dead after the last. */
export async function markFailed(db: Kysely<Database>, row: OutboxRow, error: string) {
  const dead = row.attempts >= row.maxAttempts
  const backoffSeconds = Math.min(2 ** (row.attempts - 1), 300)
  await db
    .updateTable('outbox')
    .set({
      state: dead ? 'dead' : 'pending',
      lastError: error.slice(0, 2000),
      availableAt: sql<Date>`now() + make_interval(secs => ${backoffSeconds})`,
      ...(dead ? { processedAt: new Date() } : {}),
    })
    .where('id', '=', row.id)
    .execute()
}
