import { sql, type Kysely, type Transaction } from 'kysely'
import type { NotificationTransport } from '../../api/domain/notifications.ts'
import type { Database } from '../database.ts'
import * as queue from './queue.ts'
import type { FailureOutcome, Queue } from './queue.ts'

/** The channel LISTENed on: the deliveries' trigger notifies it when one is queued or retried. */
export const notificationDeliveriesChannel = 'notification_deliveries'

/** Deliveries as a queue: each on its own (no order between recipients), kept after delivery. */
const deliveryQueue: Queue<Database, 'notificationDeliveries'> = {
  table: 'notificationDeliveries',
  key: 'id',
  dueAt: 'nextAttemptAt',
  pending: 'pending',
  dead: 'dead',
  lastAttemptAt: 'lastAttemptAt',
  errorChars: 1000,
}

const endpointColumns = [
  'id',
  'countyCode',
  'kind',
  'address',
  'label',
  'enabled',
  'createdAt',
  'updatedAt',
] as const

export async function listEndpoints(db: Kysely<Database>, scope: { countyCode: string | null }) {
  let query = db
    .selectFrom('notificationEndpoints')
    .select(endpointColumns)
    .orderBy(sql`county_code NULLS FIRST`)
    .orderBy('kind')
    .orderBy('id')
  // A county sees its own recipients and the city's, which also hear of its notices.
  if (scope.countyCode !== null) {
    const county = scope.countyCode
    query = query.where((eb) =>
      eb.or([eb('countyCode', '=', county), eb('countyCode', 'is', null)]),
    )
  }
  return query.execute()
}

export type EndpointRow = Awaited<ReturnType<typeof listEndpoints>>[number]

/** Adds a recipient; undefined when the same address is already there for that county. */
export async function insertEndpoint(
  trx: Transaction<Database>,
  row: {
    countyCode: string | null
    kind: NotificationTransport
    address: string
    label: string
    createdBy: string
  },
) {
  return trx
    .insertInto('notificationEndpoints')
    .values(row)
    .onConflict((oc) => oc.doNothing())
    .returning(endpointColumns)
    .executeTakeFirst()
}

/** Turns a recipient on or off; undefined for an unknown id. */
export async function setEndpointEnabled(trx: Transaction<Database>, id: string, enabled: boolean) {
  return trx
    .updateTable('notificationEndpoints')
    .set({ enabled, updatedAt: sql<Date>`now()` })
    .where('id', '=', id)
    .returning(endpointColumns)
    .executeTakeFirst()
}

/**
 * A recipient turned off takes nothing more: what was still queued for it is given up (dead,
 * with the reason), so turning it on again later does not flood it with old notices.
 */
export async function giveUpPendingOf(trx: Transaction<Database>, endpointId: string, why: string) {
  const result = await trx
    .updateTable('notificationDeliveries')
    .set({ state: 'dead', lastError: why })
    .where('endpointId', '=', endpointId)
    .where('state', '=', 'pending')
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}

/**
 * One delivery per enabled recipient of the notice's county and of the city, in the caller's
 * transaction. Unique on (notice key, endpoint): a notice handled again (a crash before the
 * outbox row was marked done) adds nothing. Returns how many were added.
 */
export async function insertDeliveriesForNotice(
  trx: Transaction<Database>,
  notice: { key: string; countyCode: string | null; payload: unknown },
  newWebhookId: () => string,
): Promise<number> {
  const endpoints = await trx
    .selectFrom('notificationEndpoints')
    .select(['id', 'kind'])
    .where('enabled', '=', true)
    .where((eb) =>
      notice.countyCode === null
        ? eb('countyCode', 'is', null)
        : eb.or([eb('countyCode', '=', notice.countyCode), eb('countyCode', 'is', null)]),
    )
    .orderBy('id')
    .execute()
  if (endpoints.length === 0) return 0
  const payload = JSON.stringify(notice.payload)
  const inserted = await trx
    .insertInto('notificationDeliveries')
    .values(
      endpoints.map((e) => ({
        noticeKey: notice.key,
        endpointId: e.id,
        transport: e.kind,
        webhookId: newWebhookId(),
        notice: payload,
      })),
    )
    .onConflict((oc) => oc.columns(['noticeKey', 'endpointId']).doNothing())
    .returning('id')
    .execute()
  return inserted.length
}

const deliveryColumns = [
  'id',
  'noticeKey',
  'endpointId',
  'transport',
  'webhookId',
  'notice',
  'attempts',
  'createdAt',
] as const

export interface DeliveryRow {
  id: string
  noticeKey: string
  endpointId: string
  transport: NotificationTransport
  webhookId: string
  notice: unknown
  attempts: number
  createdAt: Date
}

/**
 * Leases up to `limit` deliveries due at `now` over the `transports` this worker can send
 * (queue.ts claimDue); the others are not touched, so an unconfigured transport's deliveries
 * stay queued with their tries uncounted.
 */
export async function claimDueDeliveries(
  db: Kysely<Database>,
  options: {
    now: Date
    limit: number
    leaseSeconds: number
    transports: readonly NotificationTransport[]
  },
): Promise<DeliveryRow[]> {
  return queue.claimDue(db, deliveryQueue, {
    now: options.now,
    limit: options.limit,
    leaseSeconds: options.leaseSeconds,
    columns: deliveryColumns,
    orderBy: ['nextAttemptAt', 'id'],
    only: { column: 'transport', values: options.transports },
  })
}

/** Where each endpoint sends, by id. */
export async function endpointAddresses(db: Kysely<Database>, ids: readonly string[]) {
  if (ids.length === 0) return new Map<string, string>()
  const rows = await db
    .selectFrom('notificationEndpoints')
    .select(['id', 'address'])
    .where('id', 'in', [...ids])
    .execute()
  return new Map(rows.map((r) => [r.id, r.address]))
}

/**
 * Keeps the deliveries a worker is still trying leased to it (queue.ts renewLease); answers the
 * ids still its own.
 */
export async function renewDeliveryLeases(
  db: Kysely<Database>,
  claims: readonly queue.Claimed[],
  leaseSeconds: number,
): Promise<string[]> {
  return queue.renewLease(db, deliveryQueue, claims, { leaseSeconds })
}

/** Records the outcome of the try this worker claimed (as recordCallbackAttempt does). */
export async function recordDeliveryAttempt(
  db: Kysely<Database>,
  claimed: Pick<DeliveryRow, 'id' | 'attempts'>,
  outcome:
    | { delivered: true; at: Date; status: number | null }
    | { delivered: false; at: Date; status: number | null; error: string; next: FailureOutcome },
): Promise<void> {
  const held = { key: claimed.id, attempts: claimed.attempts }
  if (outcome.delivered) {
    await queue.markDone(db, deliveryQueue, held, {
      state: 'delivered',
      deliveredAt: outcome.at,
      lastStatus: outcome.status,
      lastError: null,
    })
    return
  }
  await queue.recordFailure(db, deliveryQueue, held, {
    error: outcome.error,
    outcome: outcome.next,
    at: outcome.at,
    also: { lastStatus: outcome.status },
  })
}

/** When the loop should look again for deliveries over `transports`; undefined when none waits. */
export async function nextDeliveryDue(
  db: Kysely<Database>,
  transports: readonly NotificationTransport[],
): Promise<Date | undefined> {
  return queue.nextDueAt(db, deliveryQueue, { column: 'transport', values: transports })
}

/**
 * Queued and dead deliveries per transport, for the recipients of `scope` (a county: its own and
 * the city's; null: all).
 */
export async function countDeliveries(db: Kysely<Database>, scope: { countyCode: string | null }) {
  let query = db
    .selectFrom('notificationDeliveries as d')
    .innerJoin('notificationEndpoints as e', 'e.id', 'd.endpointId')
    .select(['d.transport', 'd.state', (eb) => eb.fn.countAll<string>().as('n')])
    .where('d.state', 'in', ['pending', 'dead'])
    .groupBy(['d.transport', 'd.state'])
  if (scope.countyCode !== null) {
    const county = scope.countyCode
    query = query.where((eb) =>
      eb.or([eb('e.countyCode', '=', county), eb('e.countyCode', 'is', null)]),
    )
  }
  const rows = await query.execute()
  return rows.map((r) => ({ transport: r.transport, state: r.state, count: Number(r.n) }))
}
