import {
  claimDueCallbacks,
  hotlineCallbacksChannel,
  nextCallbackDue,
  recordCallbackAttempt,
  renewCallbackLeases,
  type CallbackRow,
} from '../../../db/queries/hotline-callbacks.ts'
import type { Deps } from '../../deps.ts'
import { hotlineCallbackSchema } from './events.ts'
import { signWebhook } from '../../hotline/signature.ts'
import { afterFailure, hotlineCallbackPolicy } from '../shared/queue-policy.ts'
import { startDeliveryLoop, type DeliveryLoop } from '../shared/listen.ts'
import { holdLease, type HeldLease } from '../shared/lease.ts'

const requestTimeoutMs = 15_000
/** Tickets served at once; each ticket's own callbacks still go one after another. */
const batchSize = 20

type DeliveryDeps = Pick<Deps, 'db' | 'hotline' | 'logger'>

async function post(
  deps: DeliveryDeps,
  url: string,
  row: CallbackRow,
): Promise<{ ok: true; status: number } | { ok: false; status: number | null; error: string }> {
  // Parsing puts the keys back in the contract's order (jsonb keeps its own).
  const body = JSON.stringify(hotlineCallbackSchema.parse(row.payload))
  // The wall clock, not the scheduler's `now`: the receiver checks the timestamp against its own.
  const headers = signWebhook(deps.hotline.callbackSecret, row.webhookId, Date.now() / 1000, body)
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'user-agent': 'lishui-metrology' },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(requestTimeoutMs),
    })
    const text = await res.text().catch(() => '')
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status }
    return {
      ok: false,
      status: res.status,
      error: `HTTP ${res.status} ${text.slice(0, 300)}`.trim(),
    }
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause
    const detail = cause?.code ?? cause?.message ?? (error as Error).message
    return { ok: false, status: null, error: `无法连接：${detail}` }
  }
}

async function deliverOne(
  deps: DeliveryDeps,
  url: string,
  row: CallbackRow,
  now: Date,
  lease: HeldLease,
) {
  const result = await post(deps, url, row)
  await lease.release([row.id])
  if (result.ok) {
    await recordCallbackAttempt(deps.db, row, { delivered: true, at: now, status: result.status })
    return true
  }
  const next = afterFailure(hotlineCallbackPolicy, row.attempts)
  await recordCallbackAttempt(deps.db, row, {
    delivered: false,
    at: now,
    status: result.status,
    error: result.error,
    next,
  })
  deps.logger.warn(
    {
      callbackId: row.id,
      ticketNo: row.ticketNo,
      type: row.eventType,
      attempts: row.attempts,
      status: result.status,
      dead: next.dead,
    },
    'hotline callback failed',
  )
  return false
}

/**
 * Sends every callback due at `now` (tests pass their own clock) to HOTLINE_CALLBACK_URL, signed
 * with HOTLINE_CALLBACK_SECRET. Each pass takes the head of each ticket's queue; when one is
 * delivered, the next of its ticket becomes due in the following pass, so a ticket's callbacks
 * reach the hotline in the order its actions happened. Without a URL nothing is sent: callbacks
 * stay pending. Answers how many were delivered and how many tries failed.
 */
export async function deliverDueCallbacks(
  deps: DeliveryDeps,
  options: {
    now?: Date
    /** How long a claim holds a callback between renewals (the policy's unless told). */
    leaseSeconds?: number
  } = {},
): Promise<{ delivered: number; failed: number }> {
  const url = deps.hotline.callbackUrl
  const totals = { delivered: 0, failed: 0 }
  if (url === undefined) return totals
  const now = options.now ?? new Date()
  const leaseSeconds = options.leaseSeconds ?? hotlineCallbackPolicy.leaseSeconds
  for (;;) {
    const claimed = await claimDueCallbacks(deps.db, {
      now,
      limit: batchSize,
      leaseSeconds,
    })
    if (claimed.length === 0) return totals
    // Held while the hotline takes its time to answer (up to requestTimeoutMs each).
    const lease = holdLease({
      claims: claimed.map((r) => ({ key: r.id, attempts: r.attempts })),
      leaseSeconds,
      renew: (claims) => renewCallbackLeases(deps.db, claims, leaseSeconds),
      logger: deps.logger,
    })
    const outcomes = await Promise.all(
      claimed.map((row) => deliverOne(deps, url, row, now, lease)),
    ).finally(() => lease.release())
    for (const ok of outcomes) totals[ok ? 'delivered' : 'failed'] += 1
    // A pass that delivered nothing frees no successor: what is left is due later.
    if (!outcomes.includes(true) && claimed.length < batchSize) return totals
  }
}

/**
 * The delivery loop of a worker process: delivers what is due, then sleeps until the earliest
 * `next_attempt_at` (at most `pollIntervalMs`), woken early by the table's NOTIFY when an action
 * queues a callback or a city_admin retries one. Several processes may run it: rows are claimed
 * with SKIP LOCKED. Without HOTLINE_CALLBACK_URL it does not start; callbacks wait.
 */
export function startCallbackDelivery(
  deps: DeliveryDeps,
  options: { databaseUrl?: string | undefined; pollIntervalMs?: number } = {},
): DeliveryLoop {
  const logger = deps.logger.child({ component: 'hotline-callbacks' })
  if (deps.hotline.callbackUrl === undefined) {
    logger.info('HOTLINE_CALLBACK_URL is not set: hotline callbacks stay queued')
    return { stop: () => Promise.resolve() }
  }
  return startDeliveryLoop({
    channel: hotlineCallbacksChannel,
    databaseUrl: options.databaseUrl,
    pollIntervalMs: options.pollIntervalMs ?? 30_000,
    logger,
    failure: 'hotline callback delivery failed',
    pass: () => deliverDueCallbacks(deps),
    nextDue: () => nextCallbackDue(deps.db),
  })
}
