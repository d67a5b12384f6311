import type { Kysely, Transaction } from 'kysely'
import type { Database, OutboxRow } from '../database.ts'
import * as queue from './queue.ts'
import type { Claimed, FailureOutcome, Queue } from './queue.ts'

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
 * The outbox as a queue. A handled message is deleted; a dead one stays, with its error. Only the
 * oldest pending message of each aggregate key is handed out, so messages about one thing are
 * handled in order; a dead one does not hold back the next.
 */
const outboxQueue: Queue<Database, 'outbox'> = {
  table: 'outbox',
  key: 'id',
  dueAt: 'availableAt',
  pending: 'pending',
  dead: 'dead',
  deadAt: 'processedAt',
  errorChars: 2000,
  inOrderOf: { column: 'aggregateKey', heldBackBy: { state: 'pending' } },
}

const outboxColumns = [
  'id',
  'topic',
  'aggregateKey',
  'payload',
  'state',
  'attempts',
  'maxAttempts',
  'availableAt',
  'lastError',
  'createdAt',
  'processedAt',
] as const

/**
 * Leases up to `limit` due messages of `topics` to one worker, oldest first (queue.ts claimDue:
 * SKIP LOCKED, a lease, one message of an aggregate key at a time).
 */
export async function claimDue(
  db: Kysely<Database>,
  options: { limit: number; leaseSeconds: number; topics?: readonly string[] },
): Promise<OutboxRow[]> {
  return queue.claimDue(db, outboxQueue, {
    limit: options.limit,
    leaseSeconds: options.leaseSeconds,
    columns: outboxColumns,
    orderBy: ['id'],
    only: options.topics && { column: 'topic', values: options.topics },
  })
}

/**
 * Keeps the messages a worker is still handling leased to it (queue.ts renewLease); answers the
 * ids still its own.
 */
export async function renewLease(
  db: Kysely<Database>,
  claims: readonly Claimed[],
  leaseSeconds: number,
): Promise<string[]> {
  return queue.renewLease(db, outboxQueue, claims, { leaseSeconds })
}

/** A handled message is deleted: the outbox carries changes, it does not keep them. */
export async function markDone(db: Kysely<Database>, ids: readonly string[]) {
  await queue.deleteDone(db, outboxQueue, ids)
}

/** Schedules another attempt at the database's clock, or marks the message dead (`outcome`). */
export async function markFailed(
  db: Kysely<Database>,
  row: OutboxRow,
  error: string,
  outcome: FailureOutcome,
) {
  await queue.recordFailure(
    db,
    outboxQueue,
    { key: row.id, attempts: row.attempts },
    { error, outcome },
  )
}
