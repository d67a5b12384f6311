import { sql, type Kysely, type Transaction } from 'kysely'
import type { SmsEvent, SmsPriority } from '../../api/domain/sms.ts'
import type { Database } from '../database.ts'
import * as queue from './queue.ts'
import type { FailureOutcome, Queue } from './queue.ts'

/** The channel LISTENed on: the messages' trigger notifies it when one is queued or retried. */
export const smsMessagesChannel = 'sms_messages'

/**
 * Messages as a queue: those of one group (a complaint's) one at a time and in order, so a
 * resident never reads "归档" before "受理" because the first try of "受理" failed.
 */
const smsQueue: Queue<Database, 'smsMessages'> = {
  table: 'smsMessages',
  key: 'id',
  dueAt: 'nextAttemptAt',
  pending: 'pending',
  dead: 'dead',
  lastAttemptAt: 'lastAttemptAt',
  errorChars: 1000,
  inOrderOf: { column: 'inOrderOf', heldBackBy: { state: 'pending' } },
}

/** What the queuer reads of a complaint: whether and where to tell its resident. */
export async function smsRecipientOf(db: Kysely<Database>, complaintId: string) {
  return db
    .selectFrom('complaints')
    .select(['id', 'trackingNo', 'smsUpdates', 'channel', 'countyCode'])
    .select((eb) => eb('phoneSealed', 'is not', null).as('hasPhone'))
    .where('id', '=', complaintId)
    .executeTakeFirst()
}

export interface NewSmsMessage {
  complaintId: string
  messageKey: string
  event: SmsEvent
  inOrderOf: string
  priority: SmsPriority
  templateCode: string
  params: Record<string, string>
  body: string
  messageId: string
  /** A recovery code's message: given up once this passes. */
  expiresAt?: Date
}

/** Queues a message; nothing when one with its key is already there. Answers whether it was added. */
export async function insertSmsMessage(
  db: Kysely<Database> | Transaction<Database>,
  message: NewSmsMessage,
): Promise<boolean> {
  const row = await db
    .insertInto('smsMessages')
    .values({ ...message, params: JSON.stringify(message.params) })
    .onConflict((oc) => oc.column('messageKey').doNothing())
    .returning('id')
    .executeTakeFirst()
  return row !== undefined
}

const claimedColumns = [
  'id',
  'expiresAt',
  'complaintId',
  'event',
  'priority',
  'templateCode',
  'params',
  'body',
  'messageId',
  'attempts',
] as const

export interface ClaimedSms {
  id: string
  expiresAt: Date | null
  complaintId: string
  event: SmsEvent
  priority: SmsPriority
  templateCode: string
  params: Record<string, string>
  body: string
  messageId: string
  attempts: number
}

/**
 * Leases up to `limit` messages due at `now` of the given priorities (quiet hours take urgent
 * ones only), each the oldest pending one of its group.
 */
export async function claimDueSms(
  db: Kysely<Database>,
  options: { now: Date; limit: number; leaseSeconds: number; priorities: readonly SmsPriority[] },
): Promise<ClaimedSms[]> {
  return queue.claimDue(db, smsQueue, {
    now: options.now,
    limit: options.limit,
    leaseSeconds: options.leaseSeconds,
    columns: claimedColumns,
    orderBy: ['nextAttemptAt', 'id'],
    only: { column: 'priority', values: options.priorities },
  })
}

export interface SealedPhone {
  trackingNo: string
  piiKeyId: string | null
  phoneSealed: Buffer | null
  phoneHash: Buffer | null
}

/** The sealed phones of these complaints, with what unseals them; none once erased. */
export async function sealedPhonesOf(
  db: Kysely<Database>,
  complaintIds: readonly string[],
): Promise<Map<string, SealedPhone>> {
  if (complaintIds.length === 0) return new Map()
  const rows = await db
    .selectFrom('complaints')
    .select(['id', 'trackingNo', 'piiKeyId', 'phoneSealed', 'phoneHash'])
    .where('id', 'in', [...complaintIds])
    .execute()
  return new Map(rows.map(({ id, ...phone }) => [id, phone]))
}

/**
 * Keeps the messages a worker is still sending leased to it (queue.ts renewLease); answers the
 * ids still its own.
 */
export async function renewSmsLeases(
  db: Kysely<Database>,
  claims: readonly queue.Claimed[],
  leaseSeconds: number,
): Promise<string[]> {
  return queue.renewLease(db, smsQueue, claims, { leaseSeconds })
}

/** Records the outcome of a try this worker claimed. */
export async function recordSmsAttempt(
  db: Kysely<Database>,
  claimed: Pick<ClaimedSms, 'id' | 'attempts'>,
  outcome:
    | { sent: true; at: Date; status: number | null; providerId: string | null }
    | { sent: false; at: Date; status: number | null; error: string; next: FailureOutcome },
): Promise<void> {
  const held = { key: claimed.id, attempts: claimed.attempts }
  if (outcome.sent) {
    await queue.markDone(db, smsQueue, held, {
      state: 'sent',
      sentAt: outcome.at,
      lastStatus: outcome.status,
      lastError: null,
      providerId: outcome.providerId,
    })
    return
  }
  await queue.recordFailure(db, smsQueue, held, {
    error: outcome.error,
    outcome: outcome.next,
    at: outcome.at,
    also: { lastStatus: outcome.status },
  })
}

/**
 * A claimed message that may not go yet (the phone's cap for the day) waits until `until`, its
 * try given back: waiting is not failing (queue.ts postpone).
 */
export async function postponeSms(
  db: Kysely<Database>,
  claimed: Pick<ClaimedSms, 'id' | 'attempts'>,
  until: Date,
): Promise<void> {
  await queue.postpone(db, smsQueue, { key: claimed.id, attempts: claimed.attempts }, until)
}

/** When the loop should look again for messages of `priorities`; undefined when none waits. */
export async function nextSmsDue(db: Kysely<Database>, priorities: readonly SmsPriority[]) {
  return queue.nextDueAt(db, smsQueue, { column: 'priority', values: priorities })
}

/** Queued and dead messages to residents of `scope`'s cases (a county; null: all). */
export async function countSms(db: Kysely<Database>, scope: { countyCode: string | null }) {
  let query = db
    .selectFrom('smsMessages as m')
    .innerJoin('complaints as c', 'c.id', 'm.complaintId')
    .select(['m.state', (eb) => eb.fn.countAll<string>().as('n')])
    .where('m.state', 'in', ['pending', 'dead'])
    .groupBy('m.state')
  if (scope.countyCode !== null) query = query.where('c.countyCode', '=', scope.countyCode)
  const rows = await query.execute()
  const count = (state: string) => Number(rows.find((r) => r.state === state)?.n ?? 0)
  return { queued: count('pending'), dead: count('dead') }
}

/**
 * Blanks the code of recovery messages that were sent, given up or have expired unsent (with no
 * transport set, a message waits; its code is worthless after five minutes): a code is kept only
 * until its message leaves or expires (the recovery itself keeps a keyed hash). An expired
 * message is never sent (delivery.ts gives it up first).
 */
export async function blankSentCodes(db: Kysely<Database>): Promise<void> {
  await sql`
    UPDATE sms_messages
    SET body = replace(body, params ->> 'code', '******'),
      params = jsonb_set(params, '{code}', '"******"')
    WHERE event = 'recovery_code' AND params ->> 'code' <> '******'
      AND (state <> 'pending' OR expires_at <= now())
  `.execute(db)
}
