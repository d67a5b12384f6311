import type { Kysely } from 'kysely'
import { rateLimitTotals } from '../../../db/queries/attempt-windows.ts'
import { addRateLimitHits, subtractRateLimitHits } from '../../../db/queries/complaints.ts'
import type { Database } from '../../../db/database.ts'
import { ApiError } from '../../errors.ts'

export interface Limit {
  /** e.g. `complaint:addr:203.0.113.7` */
  bucket: string
  max: number
  windowSeconds: number
  /** The Chinese sentence shown when the limit is hit; the wait is appended. */
  message: string
}

/** The fixed window `now` falls in, and the seconds until it ends. */
export function windowOf(limit: Pick<Limit, 'windowSeconds'>, now: number) {
  const ms = limit.windowSeconds * 1000
  const start = Math.floor(now / ms) * ms
  return {
    start: new Date(start),
    retryAfterSeconds: Math.max(1, Math.ceil((start + ms - now) / 1000)),
  }
}

/** The 429 for a limit, with the wait given. */
export function refusal(limit: Limit, retryAfterSeconds: number) {
  const minutes = Math.ceil(retryAfterSeconds / 60)
  return new ApiError('RATE_LIMITED', `${limit.message}请在 ${minutes} 分钟后再试。`, {
    retryAfterSeconds,
  })
}

/** One hit on each active limit, in one statement; the windows' totals by bucket. */
function hit(db: Kysely<Database>, active: readonly Limit[], now: number) {
  return addRateLimitHits(
    db,
    active.map((l) => ({ bucket: l.bucket, windowStart: windowOf(l, now).start })),
  )
}

/**
 * Counts one attempt against each limit before it is checked, in one statement, and answers each
 * bucket's total with this attempt included. Of any number of attempts sent at once, exactly
 * `max` see a total within the limit, whatever order they arrive in: the caller checks only those.
 */
export function countAttempt(
  db: Kysely<Database>,
  limits: readonly Limit[],
  now = Date.now(),
): Promise<Map<string, number>> {
  return hit(
    db,
    limits.filter((l) => l.max > 0),
    now,
  )
}

/**
 * Each limit's total in the window before the one `now` falls in, by bucket: a limit reached
 * there still holds, so a lock lasts at least one whole window wherever in its window it began.
 */
export function previousWindowTotals(
  db: Kysely<Database>,
  limits: readonly Limit[],
  now = Date.now(),
): Promise<Map<string, number>> {
  return rateLimitTotals(
    db,
    limits
      .filter((l) => l.max > 0)
      .map((l) => ({
        bucket: l.bucket,
        windowStart: new Date(windowOf(l, now).start.getTime() - l.windowSeconds * 1000),
      })),
  )
}

/**
 * Gives back the attempt `countAttempt` counted at the same `now`, for one that
 * turned out not to be the abuse the limits are there for (a right password, a resident's right
 * query code). Only the windows it was counted in are touched, in one statement, never below zero.
 */
export async function giveBackAttempt(
  db: Kysely<Database>,
  limits: readonly Limit[],
  now = Date.now(),
) {
  await subtractRateLimitHits(db, currentWindows(limits, now))
}

/** Each active limit with the start of its current window, for counting inside another statement. */
export function currentWindows(limits: readonly Limit[], now = Date.now()) {
  return limits
    .filter((l) => l.max > 0)
    .map((l) => ({ bucket: l.bucket, max: l.max, windowStart: windowOf(l, now).start }))
}

/** The 429 for a limit that refused, with the wait until its window ends. */
export function refusalOf(limit: Limit, now = Date.now()) {
  return refusal(limit, windowOf(limit, now).retryAfterSeconds)
}
