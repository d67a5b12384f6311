import type { FailureOutcome } from '../../../db/queries/queue.ts'

/**
 * When a queued row is tried again, how long a claim holds it, and when it is given up: the one
 * retry policy of every queue (db/queries/queue.ts holds their SQL). Each queue names its numbers
 * here, side by side, so a schedule is read and changed in one place.
 */

/** How the wait grows with each failed try. */
type Backoff =
  /** `firstMs`, doubling after each further failure, never more than `capMs`. */
  | { kind: 'doubling'; firstMs: number; capMs: number }
  /** The n-th failure waits `delaysMs[n - 1]`; past the end, the last step again. */
  | { kind: 'steps'; delaysMs: readonly number[] }

export interface QueuePolicy {
  backoff: Backoff
  /**
   * Spreads each wait uniformly over [wait × (1 − jitter), wait × (1 + jitter)], 0 ≤ jitter < 1,
   * so rows that failed together (a receiver down for a while) do not all come back together.
   */
  jitter: number
  /** Tries before the row is dead (kept, with its last error, until retried by hand); null: never. */
  maxAttempts: number | null
  /**
   * How long a claim holds a row before another worker may take it again, should the first die
   * mid-way (renewed while the work lasts: shared/lease.ts); null when the claim is a row lock
   * held for the claiming transaction instead.
   */
  leaseSeconds: number | null
}

/**
 * The lease of the queues a worker claims rows of for a while (the outbox, 12345 callbacks,
 * notices, SMS). Short, so that a replica that dies (SIGKILL, a machine lost) leaves its rows to
 * the others within 30 s (issue 26): its last renewal holds them 20 s at most, and the others
 * look again at least each second (the outbox) or wake when the earliest row is due (the
 * delivery loops). Work that takes longer than a lease (a batch of 2,000 complaints indexed while
 * Meilisearch is busy, a receiver slow to answer) keeps its rows by renewing the lease.
 */
export const workLeaseSeconds = 20

/**
 * How often a worker renews the lease of rows it still works on: four times a lease, so three
 * renewals in a row may fail or come late (the database slow for a moment, the background
 * thread's low priority on a busy CPU) before another worker takes the rows and does the work a
 * second time.
 */
export function leaseRenewalMs(leaseSeconds: number): number {
  return (leaseSeconds * 1000) / 4
}

/**
 * How long a worker may keep renewing one claim: ten minutes. Every step of the work has its own
 * timeout far below it (a callback's request 15 s, a batch indexed in seconds), so work still
 * running then is stuck (a request that never answers), and its rows go to another worker one
 * lease later instead of staying held for as long as the stuck process lives.
 */
export const leaseHoldLimitSeconds = 600

/**
 * The wait after the `failures`-th failed try (1 for the first), in whole milliseconds. `random`
 * returns a number in [0, 1) and only matters with jitter.
 */
export function backoffDelayMs(
  policy: Pick<QueuePolicy, 'backoff' | 'jitter'>,
  failures: number,
  random: () => number = Math.random,
): number {
  if (!Number.isInteger(failures) || failures < 1) {
    throw new RangeError(`failures must be a whole number from 1, not ${failures}`)
  }
  const { backoff, jitter } = policy
  if (!(jitter >= 0 && jitter < 1)) throw new RangeError(`jitter must be in [0, 1), not ${jitter}`)
  const base =
    backoff.kind === 'doubling'
      ? Math.min(backoff.firstMs * 2 ** (failures - 1), backoff.capMs)
      : backoff.delaysMs[Math.min(failures, backoff.delaysMs.length) - 1]!
  if (jitter === 0) return base
  return Math.round(base * (1 - jitter + 2 * jitter * random()))
}

/**
 * What follows the `attempts`-th try failing: the wait before the next try, or dead. A queue that keeps a limit per row (the outbox's
 * `max_attempts`) passes it as `maxAttempts`, which then wins over the policy's.
 */
export function afterFailure(
  policy: QueuePolicy,
  attempts: number,
  maxAttempts: number | null = policy.maxAttempts,
  random?: () => number,
): FailureOutcome {
  if (maxAttempts !== null && attempts >= maxAttempts) return { dead: true }
  return { dead: false, delayMs: backoffDelayMs(policy, attempts, random) }
}

/**
 * The outbox (search indexing): a second, doubling to five minutes, so a Meilisearch restart is
 * caught up within minutes. Twelve tries is the table's default `max_attempts`
 * (db/migrations/2026-11-26T0900-directory.ts); a row's own value wins.
 */
export const outboxPolicy = {
  backoff: { kind: 'doubling', firstMs: 1_000, capMs: 300_000 },
  jitter: 0,
  maxAttempts: 12,
  leaseSeconds: workLeaseSeconds,
} satisfies QueuePolicy

/**
 * The 12345 inbox: a second, doubling to an hour, and never dead. An event the hotline sent is the
 * bureau's record of a work order; it stays due until it applies (the console's stalled-events
 * page shows the failing ones). A claim is the row lock of the transaction that applies it.
 */
export const hotlineInboxPolicy = {
  backoff: { kind: 'doubling', firstMs: 1_000, capMs: 3600_000 },
  jitter: 0,
  maxAttempts: null,
  leaseSeconds: null,
} satisfies QueuePolicy

/**
 * How long the transaction that applies a ticket's 12345 events may sit idle before PostgreSQL
 * ends it and its row locks (the inbox's claim) go to another worker: what a process that
 * vanished without closing its connection holds them for (issue 26: a dead replica's work resumes
 * within 30 s). The transaction only waits on the database between its statements, milliseconds
 * each, so 20 s idle means its process is gone or frozen.
 */
export const inboxIdleLimitSeconds = 20

/**
 * The Standard Webhooks retry schedule (https://www.standardwebhooks.com, "Retry schedule"):
 * after the first try fails, again after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h and
 * 24 h, each counted from the failure before.
 */
export const callbackRetryDelaysMs = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3600_000,
  5 * 3600_000,
  10 * 3600_000,
  14 * 3600_000,
  20 * 3600_000,
  24 * 3600_000,
] as const

/** Ten tries in all: the first, then one after each step of the schedule. */
export const callbackMaxAttempts = callbackRetryDelaysMs.length + 1

/**
 * 12345 callbacks: the Standard Webhooks schedule, ten tries in all; after the tenth the callback
 * is dead until a city_admin retries it.
 */
export const hotlineCallbackPolicy = {
  backoff: { kind: 'steps', delaysMs: callbackRetryDelaysMs },
  jitter: 0,
  maxAttempts: callbackMaxAttempts,
  leaseSeconds: workLeaseSeconds,
} satisfies QueuePolicy

/**
 * Notices to handlers (issue 24): a warning is worth telling within the hour, and a recipient
 * down for longer is a fault the console shows. 10 s, 1 min, 5 min, 30 min, 2 h, 6 h: seven tries
 * over about nine hours, then dead until the endpoint is fixed.
 */
export const notificationPolicy = {
  backoff: { kind: 'steps', delaysMs: [10_000, 60_000, 300_000, 1_800_000, 7_200_000, 21_600_000] },
  jitter: 0,
  maxAttempts: 7,
  leaseSeconds: workLeaseSeconds,
} satisfies QueuePolicy

/**
 * Text messages to residents (issue 25): a provider briefly down must not lose a message, and a
 * message days late is worse than none. 10 s, 1 min, 5 min, 30 min, 2 h, 6 h, 12 h: eight tries
 * over about 21 hours, spread a little so a provider back after an outage is not hit by every
 * waiting message at once; then dead, kept with its last answer for the console.
 */
export const smsPolicy = {
  backoff: {
    kind: 'steps',
    delaysMs: [10_000, 60_000, 300_000, 1_800_000, 7_200_000, 21_600_000, 43_200_000],
  },
  jitter: 0.1,
  maxAttempts: 8,
  leaseSeconds: workLeaseSeconds,
} satisfies QueuePolicy
