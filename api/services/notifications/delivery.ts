import {
  claimDueDeliveries,
  endpointAddresses,
  nextDeliveryDue,
  notificationDeliveriesChannel,
  recordDeliveryAttempt,
  renewDeliveryLeases,
  type DeliveryRow,
} from '../../../db/queries/notifications.ts'
import type { Deps } from '../../deps.ts'
import type { NotificationTransport } from '../../domain/notifications.ts'
import type { Logger } from '../../logger.ts'
import { afterFailure, notificationPolicy } from '../shared/queue-policy.ts'
import { startDeliveryLoop, type DeliveryLoop } from '../shared/listen.ts'
import { holdLease, type HeldLease } from '../shared/lease.ts'
import { storedNoticeSchema } from './message.ts'
import {
  configuredTransports,
  openTransports,
  type SendOutcome,
  type Transport,
} from './transports.ts'

/** Deliveries tried at once; each recipient's own are independent of the others'. */
const batchSize = 20

type DeliveryDeps = Pick<Deps, 'db' | 'config' | 'logger'>

async function tryOne(
  deps: DeliveryDeps,
  logger: Logger,
  transport: Transport,
  address: string | undefined,
  row: DeliveryRow,
  now: Date,
  lease: HeldLease,
): Promise<boolean> {
  const parsed = storedNoticeSchema.safeParse(row.notice)
  let outcome: SendOutcome
  if (address === undefined) outcome = { ok: false, status: null, error: '接收方已删除' }
  else if (!parsed.success) outcome = { ok: false, status: null, error: '通知内容不符合约定格式' }
  else {
    outcome = await transport.send({
      notice: parsed.data,
      messageId: row.webhookId,
      createdAt: row.createdAt,
      address,
    })
  }
  await lease.release([row.id])
  // Logs name the notice, the recipient's kind and the outcome; never the text.
  const fields = {
    noticeKey: row.noticeKey,
    deliveryId: row.id,
    endpointId: row.endpointId,
    transport: row.transport,
    attempts: row.attempts,
    status: outcome.status,
  }
  if (outcome.ok) {
    await recordDeliveryAttempt(deps.db, row, { delivered: true, at: now, status: outcome.status })
    logger.info(fields, 'notice delivered')
    return true
  }
  const next = afterFailure(notificationPolicy, row.attempts)
  await recordDeliveryAttempt(deps.db, row, {
    delivered: false,
    at: now,
    status: outcome.status,
    error: outcome.error,
    next,
  })
  logger.warn({ ...fields, err: outcome.error, dead: next.dead }, 'notice delivery failed')
  return false
}

/**
 * Sends every delivery due at `now` (tests pass their own clock) over the transports the
 * configuration sets up; deliveries over the others stay queued, untried. Each delivery is one
 * recipient: one failing is retried on its own schedule (notificationPolicy) and the others are
 * not sent again. Answers how many were delivered and how many tries failed.
 */
export async function deliverDueNotifications(
  deps: DeliveryDeps,
  options: { now?: Date } = {},
): Promise<{ delivered: number; failed: number }> {
  const totals = { delivered: 0, failed: 0 }
  const transports = openTransports(deps.config)
  const names = Object.keys(transports) as NotificationTransport[]
  if (names.length === 0) return totals
  const logger = deps.logger.child({ component: 'notifications' })
  const now = options.now ?? new Date()
  try {
    for (;;) {
      const claimed = await claimDueDeliveries(deps.db, {
        now,
        limit: batchSize,
        leaseSeconds: notificationPolicy.leaseSeconds,
        transports: names,
      })
      if (claimed.length === 0) return totals
      const lease = holdLease({
        claims: claimed.map((r) => ({ key: r.id, attempts: r.attempts })),
        leaseSeconds: notificationPolicy.leaseSeconds,
        renew: (claims) => renewDeliveryLeases(deps.db, claims, notificationPolicy.leaseSeconds),
        logger,
      })
      let outcomes: boolean[]
      try {
        const addresses = await endpointAddresses(deps.db, [
          ...new Set(claimed.map((r) => r.endpointId)),
        ])
        outcomes = await Promise.all(
          claimed.map((row) =>
            tryOne(
              deps,
              logger,
              transports[row.transport]!,
              addresses.get(row.endpointId),
              row,
              now,
              lease,
            ),
          ),
        )
      } finally {
        await lease.release()
      }
      for (const ok of outcomes) totals[ok ? 'delivered' : 'failed'] += 1
      // A failed try is due again later (or dead): a short batch leaves nothing due now.
      if (claimed.length < batchSize) return totals
    }
  } finally {
    for (const t of Object.values(transports)) t.close()
  }
}

/**
 * The delivery loop of a worker process (shared/listen.ts startDeliveryLoop): delivers what is
 * due, then sleeps until the earliest due delivery of a configured transport (at most
 * `pollIntervalMs`), woken by the table's NOTIFY when a notice is fanned out. With no transport
 * configured it does not start: deliveries wait, and the console says so.
 */
export function startNotificationDelivery(
  deps: DeliveryDeps,
  options: { databaseUrl?: string | undefined; pollIntervalMs?: number } = {},
): DeliveryLoop {
  const logger = deps.logger.child({ component: 'notifications' })
  const names = configuredTransports(deps.config)
  for (const missing of (['email', 'webhook'] as const).filter((n) => !names.includes(n))) {
    logger.info(
      { transport: missing },
      missing === 'email'
        ? 'NOTIFY_SMTP_URL or NOTIFY_MAIL_FROM is not set: e-mail notices stay queued'
        : 'NOTIFY_WEBHOOK_SECRET is not set: webhook notices stay queued',
    )
  }
  if (names.length === 0) return { stop: () => Promise.resolve() }
  return startDeliveryLoop({
    channel: notificationDeliveriesChannel,
    databaseUrl: options.databaseUrl,
    pollIntervalMs: options.pollIntervalMs ?? 30_000,
    logger,
    failure: 'notice delivery pass failed',
    pass: () => deliverDueNotifications(deps),
    nextDue: () => nextDeliveryDue(deps.db, names),
  })
}
