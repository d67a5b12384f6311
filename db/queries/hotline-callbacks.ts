import { sql, type Kysely, type Transaction } from 'kysely'
import type {
  ComplaintChannel,
  Database,
  HotlineCallbackType,
  HotlineRequestState,
} from '../database.ts'
import { hotlineInboxQueue } from './hotline-inbox.ts'
import * as queue from './queue.ts'
import type { FailureOutcome, Queue } from './queue.ts'

/** The channel LISTENed on: the table's trigger notifies it when a callback is queued or retried. */
export const hotlineCallbacksChannel = 'hotline_callbacks'

const callbackColumns = [
  'id',
  'webhookId',
  'ticketNo',
  'complaintId',
  'eventType',
  'payload',
  'state',
  'attempts',
  'nextAttemptAt',
  'lastAttemptAt',
  'lastStatus',
  'lastError',
  'deliveredAt',
  'createdAt',
] as const

/**
 * The callbacks as a queue (DESIGN.md section 5): per ticket in id order, a later one waiting
 * behind an earlier one that is not delivered, dead ones included; kept after delivery, so
 * handlers can see what was sent.
 */
const hotlineCallbackQueue: Queue<Database, 'hotlineCallbacks'> = {
  table: 'hotlineCallbacks',
  key: 'id',
  dueAt: 'nextAttemptAt',
  pending: 'pending',
  dead: 'dead',
  lastAttemptAt: 'lastAttemptAt',
  errorChars: 1000,
  inOrderOf: { column: 'ticketNo', heldBackBy: { stateNot: 'delivered' } },
}

export interface CallbackRow {
  id: string
  webhookId: string
  ticketNo: string
  complaintId: string
  eventType: HotlineCallbackType
  payload: unknown
  state: 'pending' | 'delivered' | 'dead'
  attempts: number
  nextAttemptAt: Date
  lastAttemptAt: Date | null
  lastStatus: number | null
  lastError: string | null
  deliveredAt: Date | null
  createdAt: Date
}

/** What the console's hotline actions need to know about a case besides its status. */
export interface HotlineCaseFacts {
  channel: ComplaintChannel
  ticket: {
    ticketNo: string
    returnState: HotlineRequestState
    extensionState: HotlineRequestState
  } | null
}

export async function hotlineCaseFacts(
  db: Kysely<Database>,
  complaintId: string,
): Promise<HotlineCaseFacts | undefined> {
  const row = await db
    .selectFrom('complaints as c')
    .leftJoin('hotlineTickets as t', 't.complaintId', 'c.id')
    .select(['c.channel', 't.ticketNo', 't.returnState', 't.extensionState'])
    .where('c.id', '=', complaintId)
    .executeTakeFirst()
  if (!row) return undefined
  return {
    channel: row.channel,
    ticket:
      row.ticketNo === null
        ? null
        : {
            ticketNo: row.ticketNo,
            returnState: row.returnState ?? 'none',
            extensionState: row.extensionState ?? 'none',
          },
  }
}

/** The work order behind a case, for its page; undefined for a case that is not from 12345. */
export async function ticketOfCase(db: Kysely<Database>, complaintId: string) {
  return db
    .selectFrom('hotlineTickets')
    .select([
      'ticketNo',
      'title',
      'appealType',
      'urgency',
      'deadline',
      'urgeCount',
      'supervisedAt',
      'returnState',
      'extensionState',
      'satisfaction',
    ])
    .where('complaintId', '=', complaintId)
    .executeTakeFirst()
}

export type TicketRow = NonNullable<Awaited<ReturnType<typeof ticketOfCase>>>

/**
 * Moves a request (退单 or 延期) to `requested`, only from one of `from`: false when the
 * ticket's state moved first (another handler asked, or the hotline decided meanwhile).
 */
export async function markTicketRequested(
  trx: Transaction<Database>,
  ticketNo: string,
  which: 'returnState' | 'extensionState',
  from: readonly HotlineRequestState[],
): Promise<boolean> {
  const result = await trx
    .updateTable('hotlineTickets')
    .set({ [which]: 'requested', updatedAt: sql<Date>`now()` })
    .where('ticketNo', '=', ticketNo)
    .where(which, 'in', [...from])
    .executeTakeFirst()
  return result.numUpdatedRows === 1n
}

/** Queues a callback in the caller's transaction; the trigger wakes the delivery loop on commit. */
export async function insertCallback(
  trx: Transaction<Database>,
  row: {
    webhookId: string
    ticketNo: string
    complaintId: string
    eventType: HotlineCallbackType
    payload: unknown
    nextAttemptAt: Date
    operatorId: string | null
  },
): Promise<string> {
  const inserted = await trx
    .insertInto('hotlineCallbacks')
    .values({ ...row, payload: JSON.stringify(row.payload) })
    .returning('id')
    .executeTakeFirstOrThrow()
  return inserted.id
}

/**
 * Leases up to `limit` callbacks due at `now`, at most one per ticket (queue.ts claimDue): only
 * the earliest callback of a ticket that is not delivered yet is eligible, so a ticket's
 * callbacks go out in order and a dead one holds back the rest until it is retried. The attempt
 * is counted here, so a crash cannot make it free.
 */
export async function claimDueCallbacks(
  db: Kysely<Database>,
  options: { now: Date; limit: number; leaseSeconds: number },
): Promise<CallbackRow[]> {
  return queue.claimDue(db, hotlineCallbackQueue, {
    now: options.now,
    limit: options.limit,
    leaseSeconds: options.leaseSeconds,
    columns: callbackColumns,
    orderBy: ['nextAttemptAt', 'id'],
  })
}

/**
 * Keeps the callbacks a worker is still sending leased to it (queue.ts renewLease); answers the
 * ids still its own.
 */
export async function renewCallbackLeases(
  db: Kysely<Database>,
  claims: readonly queue.Claimed[],
  leaseSeconds: number,
): Promise<string[]> {
  return queue.renewLease(db, hotlineCallbackQueue, claims, { leaseSeconds })
}

/**
 * Records the outcome of the attempt this worker claimed (`attempts` as claimed): a later claim
 * by another worker, after this one's lease ran out, is not overwritten.
 */
export async function recordCallbackAttempt(
  db: Kysely<Database>,
  claimed: Pick<CallbackRow, 'id' | 'attempts'>,
  outcome:
    | { delivered: true; at: Date; status: number }
    | { delivered: false; at: Date; status: number | null; error: string; next: FailureOutcome },
): Promise<void> {
  const held = { key: claimed.id, attempts: claimed.attempts }
  if (outcome.delivered) {
    await queue.markDone(db, hotlineCallbackQueue, held, {
      state: 'delivered',
      deliveredAt: outcome.at,
      lastStatus: outcome.status,
      lastError: null,
    })
    return
  }
  await queue.recordFailure(db, hotlineCallbackQueue, held, {
    error: outcome.error,
    outcome: outcome.next,
    at: outcome.at,
    also: { lastStatus: outcome.status },
  })
}

/**
 * When the delivery loop should look again: the earliest `next_attempt_at` of a callback that
 * heads its ticket's queue, or undefined when none is waiting.
 */
export async function nextCallbackDue(db: Kysely<Database>): Promise<Date | undefined> {
  return queue.nextDueAt(db, hotlineCallbackQueue)
}

/** Every callback of a case, oldest first, for its page. */
export async function callbacksOfCase(
  db: Kysely<Database>,
  complaintId: string,
): Promise<CallbackRow[]> {
  return db
    .selectFrom('hotlineCallbacks')
    .select(callbackColumns)
    .where('complaintId', '=', complaintId)
    .orderBy('id')
    .execute()
}

/** Dead callbacks, the most recent first, with the county of their case. */
export async function listDeadCallbacks(db: Kysely<Database>, limit: number) {
  return db
    .selectFrom('hotlineCallbacks as h')
    .innerJoin('complaints as c', 'c.id', 'h.complaintId')
    .select(callbackColumns.map((col) => `h.${col}` as const))
    .select(['c.trackingNo', 'c.countyCode'])
    .where('h.state', '=', 'dead')
    .orderBy('h.id', 'desc')
    .limit(limit)
    .execute()
}

/**
 * Sets a dead callback pending again with a fresh schedule (attempts from zero, due at `now`),
 * keeping its webhook-id so the receiver can tell a repeat. Undefined when it is not dead.
 */
export async function reviveDeadCallback(db: Kysely<Database>, id: string, now: Date) {
  return queue.retryByHand(db, hotlineCallbackQueue, id, {
    at: now,
    columns: ['id', 'webhookId', 'ticketNo', 'complaintId', 'eventType'],
  })
}

/** A callback's delivery state, or undefined for an unknown id. */
export async function callbackState(db: Kysely<Database>, id: string) {
  return db.selectFrom('hotlineCallbacks').select('state').where('id', '=', id).executeTakeFirst()
}

const inboxColumns = [
  'webhookId',
  'webhookTimestamp',
  'receivedAt',
  'piiKeyId',
  'bodySealed',
  'errors',
  'responseStatus',
] as const

/** Inbound events kept as rejected (they failed the schema), the most recent first. */
export async function listRejectedInbox(db: Kysely<Database>, limit: number) {
  return db
    .selectFrom('hotlineInbox')
    .select(inboxColumns)
    .where('state', '=', 'rejected')
    .orderBy('receivedAt', 'desc')
    .orderBy('webhookId')
    .limit(limit)
    .execute()
}

export async function findRejectedInbox(db: Kysely<Database>, webhookId: string) {
  return db
    .selectFrom('hotlineInbox')
    .select(inboxColumns)
    .where('webhookId', '=', webhookId)
    .where('state', '=', 'rejected')
    .executeTakeFirst()
}

/**
 * Hands a rejected event that now passes the schema to the inbound worker: pending, with the
 * facts a valid event carries. False when it is no longer rejected (someone retried it first).
 */
export async function requeueRejectedInbox(
  db: Kysely<Database>,
  webhookId: string,
  facts: { eventType: string; ticketNo: string; occurredAt: Date; now: Date },
): Promise<boolean> {
  const requeued = await queue.retryByHand(db, hotlineInboxQueue, webhookId, {
    at: facts.now,
    from: 'rejected',
    columns: ['webhookId'],
    also: {
      eventType: facts.eventType,
      ticketNo: facts.ticketNo,
      occurredAt: facts.occurredAt,
      errors: null,
      lastError: null,
    },
  })
  return requeued !== undefined
}
