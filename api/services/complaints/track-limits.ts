import { setTimeout as sleep } from 'node:timers/promises'
import type { ServiceContext } from '../../deps.ts'
import { ApiError } from '../../errors.ts'
import { clientKey } from '../limits/client-key.ts'
import {
  countAttempt,
  giveBackAttempt,
  refusalOf,
  windowOf,
  type Limit,
} from '../limits/rate-limit.ts'

/**
 * How query-code lookups are limited (issue 23): guessing a code must stay infeasible, and no
 * lock may refuse the right code to the resident who holds it — neither because strangers tried
 * their case, nor for a quarter of an hour because they mistyped it themselves.
 *
 * Every try is counted BEFORE its code is checked, in one statement that answers each counter's
 * new total, so tries sent at once cannot get more checks than the rule allows. A right code gives
 * its count back, so only wrong codes use the allowance. Wrong tries are counted per client
 * address (a keyed hash of it, never the address):
 *
 * 1. per address and case: 5 an hour at full speed; after that one a minute (a second try from
 *    that address on that case within the same minute is refused until the minute ends). A
 *    resident who mistyped five times waits at most a minute, never the hour.
 * 2. per address, across all cases: 30 an hour; then that address is refused until the hour ends
 *    (one address sweeping many numbers).
 * 3. per case, from all addresses (a ceiling for guessing at scale): 200 an hour. Past it, the case
 *    is not locked: a try from an address with no other try on this case this hour is still
 *    checked, only slowed down by two seconds, so the resident with the right code gets their
 *    answer; an address that has already tried this case this hour is refused until the hour
 *    ends. Guessing past the ceiling gets one check per address per hour.
 *
 * Why guessing stays infeasible: a code is 8 characters from 31 (31^8 ≈ 8.5 × 10^11, 39.6 bits),
 * so finding one takes on average 4.3 × 10^11 checks. Rule 2 allows one address 30 an hour;
 * rule 3 holds one case to 200 + A checks an hour for A addresses. With 10,000 addresses that is
 * about 4,800 years on average; with a million addresses, 49 years, and a chance of about 1 % in
 * a year, for a page that shows a status and a public timeline and no personal data.
 *
 * A client whose address the server cannot learn shares one counter per case with every other
 * such client, and is never "an address with no other try": past the ceiling it waits the hour.
 */
export const trackLimitRule = {
  /** Rule 1: wrong tries per address and case, an hour, at full speed. */
  perAddressAndCase: 5,
  /** Rule 1: after those, one try per address and case every this many seconds. */
  slowLaneSeconds: 60,
  /** Rule 2: wrong tries per address, all cases, an hour. */
  perAddress: 30,
  /** Rule 3: wrong tries per case, all addresses, an hour. */
  perCase: 200,
  /** Rule 3: how long a try past the ceiling waits before its code is checked. */
  crowdedDelayMs: 2000,
  windowSeconds: 3600,
} as const

interface TrackLimits {
  pair: Limit
  slowLane: Limit
  address: Limit | undefined
  ceiling: Limit
  known: boolean
}

function trackLimits(trackingNo: string, client: string | undefined): TrackLimits {
  const r = trackLimitRule
  const who = client ?? 'unknown'
  return {
    pair: {
      bucket: `track:pair:${who}:${trackingNo}`,
      max: r.perAddressAndCase,
      windowSeconds: r.windowSeconds,
      message: '这个受理编号的查询码从您的网络输错次数过多，已暂停从您的网络查询。',
    },
    slowLane: {
      bucket: `track:slow:${who}:${trackingNo}`,
      max: 1,
      windowSeconds: r.slowLaneSeconds,
      message: '这个受理编号的查询码已连续输错多次，每分钟只能再试一次。',
    },
    address: client
      ? {
          bucket: `track:addr:${client}`,
          max: r.perAddress,
          windowSeconds: r.windowSeconds,
          message: '查询失败次数过多，已暂停从您的网络查询。',
        }
      : undefined,
    ceiling: {
      bucket: `track:case:${trackingNo}`,
      max: r.perCase,
      windowSeconds: r.windowSeconds,
      message:
        '这个受理编号近期收到大量错误的查询码，为保护办理信息，已暂停从输错过查询码的网络查询。',
    },
    known: client !== undefined,
  }
}

/** A try that was counted and may be checked; `succeeded` gives its count back. */
export interface CountedTry {
  succeeded(): Promise<void>
}

/** The refusal of the slow lane, in seconds: the wait is under a minute, not "1 分钟". */
function slowLaneRefusal(limit: Limit, now: number) {
  const { retryAfterSeconds } = windowOf(limit, now)
  return new ApiError('RATE_LIMITED', `${limit.message}请在 ${retryAfterSeconds} 秒后再试。`, {
    retryAfterSeconds,
  })
}

/**
 * Counts one lookup before its code is checked, and throws the 429 when the rule above refuses
 * it; waits first when the case is past its ceiling and the try may still be checked.
 */
export async function countTrackingTry(
  ctx: ServiceContext,
  input: { trackingNo: string; clientAddress: string },
): Promise<CountedTry> {
  const limits = trackLimits(input.trackingNo, clientKey(ctx.privacy.hashKey, input.clientAddress))
  const all = [
    limits.pair,
    limits.slowLane,
    limits.ceiling,
    ...(limits.address ? [limits.address] : []),
  ]
  const now = Date.now()
  const totals = await countAttempt(ctx.db, all, now)
  const total = (limit: Limit) => totals.get(limit.bucket) ?? 0

  if (limits.address && total(limits.address) > limits.address.max) {
    throw refusalOf(limits.address, now)
  }
  if (total(limits.pair) > limits.pair.max && total(limits.slowLane) > limits.slowLane.max) {
    throw slowLaneRefusal(limits.slowLane, now)
  }
  if (total(limits.ceiling) > limits.ceiling.max) {
    const firstFromHere = limits.known && total(limits.pair) === 1
    if (!firstFromHere) throw refusalOf(limits.ceiling, now)
    await sleep(trackLimitRule.crowdedDelayMs)
  }
  return { succeeded: () => giveBackAttempt(ctx.db, all, now) }
}
