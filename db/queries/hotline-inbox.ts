import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely'
import type { Database, HotlineInboxState } from '../database.ts'
import { dueBefore } from './clock.ts'
import * as queue from './queue.ts'
import type { FailureOutcome, Queue } from './queue.ts'

/**
 * The channel the inbox worker LISTENs on: the receiving process notifies after storing events
 * (once for a burst), and a trigger when a rejected event is sent back to pending.
 */
export const hotlineInboxChannel = 'hotline_inbox'

/** Wakes the inbox workers of every process. */
export async function notifyInbox(db: Kysely<Database>) {
  await sql`SELECT pg_notify(${hotlineInboxChannel}, '')`.execute(db)
}

export interface NewInboxEvent {
  webhookId: string
  webhookTimestamp: Date
  bodySha256: Buffer
  piiKeyId: string
  bodySealed: Buffer
  eventType: string | null
  ticketNo: string | null
  occurredAt: Date | null
  state: Extract<HotlineInboxState, 'pending' | 'rejected'>
  responseStatus: number
  responseBody: unknown
  errors: unknown
}

/**
 * Stores deliveries in one statement and one commit, each unless its `webhook-id` is already
 * there, answering for each the answer as stored (read back from jsonb, so a later replay says
 * exactly the same), or undefined when the id was there before (or earlier in the same batch).
 * A concurrent delivery of the same id waits for the first to commit, then stores nothing.
 */
export async function insertInboxEvents(
  db: Kysely<Database>,
  rows: readonly NewInboxEvent[],
): Promise<unknown[]> {
  // One statement over arrays, whatever the batch size: a fixed text the server plans once, and
  // twelve parameters instead of twelve per row.
  const column = <T>(pick: (row: NewInboxEvent) => T) => rows.map(pick)
  const { rows: inserted } = await sql<{ webhookId: string; responseJson: string }>`
    INSERT INTO hotline_inbox (webhook_id, webhook_timestamp, body_sha256, pii_key_id, body_sealed,
      event_type, ticket_no, occurred_at, state, response_status, response_body, errors)
    SELECT * FROM unnest(
      ${column((r) => r.webhookId)}::text[],
      ${column((r) => r.webhookTimestamp)}::timestamptz[],
      ${column((r) => r.bodySha256)}::bytea[],
      ${column((r) => r.piiKeyId)}::text[],
      ${column((r) => r.bodySealed)}::bytea[],
      ${column((r) => r.eventType)}::text[],
      ${column((r) => r.ticketNo)}::text[],
      ${column((r) => r.occurredAt)}::timestamptz[],
      ${column((r) => r.state)}::text[],
      ${column((r) => r.responseStatus)}::smallint[],
      ${column((r) => JSON.stringify(r.responseBody))}::jsonb[],
      ${column((r) => (r.errors === null ? null : JSON.stringify(r.errors)))}::jsonb[]
    )
    ON CONFLICT (webhook_id) DO NOTHING
    RETURNING webhook_id AS "webhookId", response_body::text AS "responseJson"
  `.execute(db.withoutPlugins())
  const stored = new Map(inserted.map((r) => [r.webhookId, r.responseJson]))
  return rows.map((row) => {
    const json = stored.get(row.webhookId)
    // The first of two deliveries of one id in a batch stored it; the second is a replay.
    stored.delete(row.webhookId)
    return json === undefined ? undefined : (JSON.parse(json) as unknown)
  })
}

/**
 * How a stored delivery was answered. The body is read as text: it goes back byte for byte, and
 * the camel-case plugin would otherwise rename its keys (`webhook_id`).
 */
export async function inboxResponse(db: Kysely<Database>, webhookId: string) {
  const row = await db
    .selectFrom('hotlineInbox')
    .select(['responseStatus', 'bodySha256', sql<string>`response_body::text`.as('responseJson')])
    .where('webhookId', '=', webhookId)
    .executeTakeFirst()
  return (
    row && {
      responseStatus: row.responseStatus,
      responseBody: JSON.parse(row.responseJson) as unknown,
      bodySha256: row.bodySha256,
    }
  )
}

/**
 * The inbox as a queue. An event is claimed for the transaction that applies it, its try counted
 * only if that fails; it is never given up (a rejected one is sent back by hand, after the schema
 * is fixed). Applied and held events leave the queue through setInboxState.
 */
export const hotlineInboxQueue: Queue<Database, 'hotlineInbox'> = {
  table: 'hotlineInbox',
  key: 'webhookId',
  dueAt: 'availableAt',
  pending: 'pending',
  dead: null,
  errorChars: 2000,
}

const inboxColumns = [
  'webhookId',
  'piiKeyId',
  'bodySealed',
  'eventType',
  'ticketNo',
  'occurredAt',
  'state',
  'attempts',
] as const

export type InboxEventRow = Awaited<ReturnType<typeof claimTicketEvents>>[number]

/**
 * The tickets of the oldest due pending events (a ticket's events are applied together), oldest
 * first. Read without locks: claimTicketEvents takes the events themselves.
 */
export async function ticketsWithDueEvents(db: Kysely<Database>, now: Date, limit: number) {
  const rows = await db
    .selectFrom('hotlineInbox')
    .select('ticketNo')
    .where('state', '=', 'pending')
    .where('availableAt', '<', dueBefore(now))
    .orderBy('availableAt')
    .limit(limit)
    .execute()
  return [...new Set(rows.map((r) => r.ticketNo!))]
}

/**
 * Takes a ticket's due pending events for this transaction, in time order. The row locks are the
 * lease: if the process dies, the transaction ends with it and the events are pending again.
 */
export async function claimTicketEvents(trx: Transaction<Database>, ticketNo: string, now: Date) {
  return queue.claimForTransaction(trx, hotlineInboxQueue, {
    now,
    match: { ticketNo },
    columns: inboxColumns,
    orderBy: ['occurredAt', 'webhookId'],
  })
}

/** The events of a ticket in one state, locked, in time order. */
export async function ticketEventsInState(
  trx: Transaction<Database>,
  ticketNo: string,
  state: HotlineInboxState,
) {
  return trx
    .selectFrom('hotlineInbox')
    .select(inboxColumns)
    .where('ticketNo', '=', ticketNo)
    .where('state', '=', state)
    .orderBy('occurredAt')
    .orderBy('webhookId')
    .forUpdate()
    .execute()
}

export async function setInboxState(
  trx: Transaction<Database>,
  webhookIds: readonly string[],
  state: Extract<HotlineInboxState, 'held' | 'applied'>,
  at: Date,
) {
  if (webhookIds.length === 0) return
  await trx
    .updateTable('hotlineInbox')
    .set({ state, appliedAt: state === 'applied' ? at : null, lastError: null })
    .where('webhookId', 'in', webhookIds)
    .execute()
}

/** Stores an event's body sealed anew (without the caller: hotline/inbox.ts redactInboxBody). */
export async function replaceInboxBody(
  trx: Transaction<Database>,
  webhookId: string,
  body: { piiKeyId: string; bodySealed: Buffer },
) {
  await trx.updateTable('hotlineInbox').set(body).where('webhookId', '=', webhookId).execute()
}

/** The advisory lock's key of a ticket (a parameter or a `ticket_no` column). */
const ticketLockKey = (ticketNo: RawBuilder<unknown> | string) =>
  sql`hashtext('hotline:' || ${ticketNo})`

/**
 * Serialises everything done to one ticket until the transaction ends. Taken before any row of
 * the ticket or its case: the inbox worker takes it first, and so does a case action (act.ts).
 *
 * With `idleLimitSeconds`, PostgreSQL ends the session should the transaction sit idle that long
 * (SET LOCAL idle_in_transaction_session_timeout, in the same statement): the lock and the row
 * locks taken after it are a claim, and a process that vanishes without closing its connection (a
 * machine lost, a frozen VM) would otherwise hold them until TCP keepalive gives up on it, two
 * hours and more by default. A process killed on a live machine closes its connection at once.
 */
export async function lockTicket(
  trx: Transaction<Database>,
  ticketNo: string,
  options: { idleLimitSeconds?: number } = {},
) {
  const limit = options.idleLimitSeconds
  await sql`
    SELECT pg_advisory_xact_lock(${ticketLockKey(ticketNo)})${
      limit === undefined
        ? sql``
        : sql`, set_config('idle_in_transaction_session_timeout', ${String(limit * 1000)}, true)`
    }
  `.execute(trx)
}

/**
 * For a caller already holding these cases' rows (the retention sweep): takes their tickets'
 * locks that are free, without waiting, and returns the cases whose ticket is busy, to leave for
 * a later sweep. Waiting there could deadlock with the inbox worker, which holds the ticket and
 * then waits for the case's row.
 */
export async function casesWithBusyTicket(
  trx: Transaction<Database>,
  complaintIds: readonly string[],
): Promise<Set<string>> {
  if (complaintIds.length === 0) return new Set()
  // Materialised first, so the lock is tried for these tickets only.
  const { rows } = await sql<{ complaintId: string }>`
    WITH theirs AS MATERIALIZED (
      SELECT complaint_id, ticket_no FROM hotline_tickets
      WHERE complaint_id IN (${sql.join(complaintIds)})
    )
    SELECT complaint_id::text AS "complaintId" FROM theirs
    WHERE NOT pg_try_advisory_xact_lock(${ticketLockKey(sql.ref('ticket_no'))})
  `.execute(trx)
  return new Set(rows.map((r) => r.complaintId))
}

/**
 * An attempt failed, the transaction that claimed the event (`attempts` as claimed) rolled back:
 * the try is counted and the event is due again after `outcome.delayMs` from `now`.
 */
export async function recordInboxFailure(
  db: Kysely<Database>,
  claimed: { webhookId: string; attempts: number },
  failure: { error: string; outcome: FailureOutcome; now: Date },
) {
  await queue.recordFailure(
    db,
    hotlineInboxQueue,
    { key: claimed.webhookId, attempts: claimed.attempts },
    { error: failure.error, outcome: failure.outcome, at: failure.now, countAttempt: true },
  )
}

/**
 * Inbound events that are stuck: held for longer than `heldFor` (their dispatch has not come) or
 * still pending after a failed attempt. Metadata only; the bodies stay sealed.
 */
export async function stalledInboxEvents(db: Kysely<Database>, now: Date, heldForMs: number) {
  return db
    .selectFrom('hotlineInbox')
    .select([
      'webhookId',
      'eventType',
      'ticketNo',
      'occurredAt',
      'receivedAt',
      'state',
      'attempts',
      'lastError',
      'availableAt',
    ])
    .where((eb) =>
      eb.or([
        eb.and([
          eb('state', '=', 'held'),
          eb('receivedAt', '<', new Date(now.getTime() - heldForMs)),
        ]),
        eb.and([eb('state', '=', 'pending'), eb('attempts', '>', 0)]),
      ]),
    )
    .orderBy('receivedAt')
    .limit(200)
    .execute()
}
