import { sql, type Kysely, type Transaction } from 'kysely'
import type { Database, HotlineInboxState } from '../database.ts'

/** The channel the inbox worker LISTENs on (a trigger notifies on insert and state changes). */
export const hotlineInboxChannel = 'hotline_inbox'

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
 * Stores a delivery unless its `webhook-id` is already there, returning the answer as stored (so
 * a later replay, read back from jsonb, says exactly the same); undefined when the id was there.
 * A concurrent delivery of the same id waits for the first to commit, then stores nothing.
 */
export async function insertInboxEvent(db: Kysely<Database>, row: NewInboxEvent) {
  const inserted = await db
    .insertInto('hotlineInbox')
    .values({
      ...row,
      responseBody: JSON.stringify(row.responseBody),
      errors: row.errors === null ? null : JSON.stringify(row.errors),
    })
    .onConflict((oc) => oc.column('webhookId').doNothing())
    .returning(sql<string>`response_body::text`.as('responseJson'))
    .executeTakeFirst()
  return inserted && (JSON.parse(inserted.responseJson) as unknown)
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

export type InboxEventRow = NonNullable<Awaited<ReturnType<typeof claimPendingEvent>>>

/**
 * Takes the oldest due pending event for this transaction. The row lock is the lease: if the
 * process dies, the transaction ends with it and the event is pending for the next worker.
 */
export async function claimPendingEvent(trx: Transaction<Database>, now: Date) {
  return trx
    .selectFrom('hotlineInbox')
    .select(inboxColumns)
    .where('state', '=', 'pending')
    .where('availableAt', '<=', now)
    .orderBy('availableAt')
    .orderBy('webhookId')
    .limit(1)
    .forUpdate()
    .skipLocked()
    .executeTakeFirst()
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

/** Serialises everything done to one ticket until the transaction ends. */
export async function lockTicket(trx: Transaction<Database>, ticketNo: string) {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`hotline:${ticketNo}`}))`.execute(trx)
}

/** An attempt failed: try again later, waiting longer each time (at most an hour). */
export async function recordInboxFailure(
  db: Kysely<Database>,
  webhookId: string,
  error: string,
  now: Date,
) {
  await db
    .updateTable('hotlineInbox')
    .set({
      attempts: sql<number>`attempts + 1`,
      lastError: error.slice(0, 2000),
      availableAt: sql<Date>`${now}::timestamptz + make_interval(secs => least(power(2, attempts), 3600))`,
    })
    .where('webhookId', '=', webhookId)
    .where('state', '=', 'pending')
    .execute()
}

export async function inboxCounts(db: Kysely<Database>) {
  const rows = await db
    .selectFrom('hotlineInbox')
    .select(['state', (eb) => eb.fn.countAll<string>().as('n')])
    .groupBy('state')
    .execute()
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)])) as Partial<
    Record<HotlineInboxState, number>
  >
}
