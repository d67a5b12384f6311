import type { Claimed } from '../../../db/queries/queue.ts'
import { errorKind, type Logger } from '../../logger.ts'
import { leaseHoldLimitSeconds, leaseRenewalMs } from './queue-policy.ts'

/** The rows a worker claimed, kept leased to it while it works on them. */
export interface HeldLease {
  /**
   * Stops renewing these rows (all of them without `keys`) and waits for a renewal under way:
   * call it before recording a row's outcome, so that no renewal lands after the outcome and
   * moves a retry's due time.
   */
  release: (keys?: readonly string[]) => Promise<void>
  /** The keys still held: claimed, not released, not lost to another worker. */
  held: () => string[]
}

/**
 * Renews the lease of `claims` every leaseRenewalMs(leaseSeconds) until they are released, so
 * work that outlasts one lease keeps its rows, while a worker that dies stops renewing and its
 * rows are due again within one lease; so are the rows of work still running after
 * `holdLimitSeconds`, presumed stuck. `renew` extends the rows still held by these claims and
 * answers their keys (queue.ts renewLease); a row it no longer answers went to another worker
 * (this one was late) and is renewed no more. A failed renewal is logged and tried at the next
 * turn.
 */
export function holdLease(options: {
  claims: readonly Claimed[]
  leaseSeconds: number
  renew: (claims: readonly Claimed[]) => Promise<readonly string[]>
  logger: Logger
  /** Renewals stop after this long, the work presumed stuck (leaseHoldLimitSeconds). */
  holdLimitSeconds?: number
}): HeldLease {
  const { logger } = options
  const held = new Map(options.claims.map((c) => [c.key, c.attempts]))
  const giveUpAt = Date.now() + (options.holdLimitSeconds ?? leaseHoldLimitSeconds) * 1000
  let timer: NodeJS.Timeout | undefined
  let renewing: Promise<void> | undefined

  async function renew() {
    if (Date.now() >= giveUpAt) {
      logger.warn(
        { rows: held.size },
        'work outlasted the hold limit; its rows go to another worker when the lease runs out',
      )
      held.clear()
      return
    }
    const claims = [...held].map(([key, attempts]) => ({ key, attempts }))
    try {
      const renewed = new Set(await options.renew(claims))
      const lost = claims.filter((c) => held.has(c.key) && !renewed.has(c.key))
      for (const c of lost) held.delete(c.key)
      if (lost.length > 0) {
        logger.warn(
          { lost: lost.length },
          'lease ran out before it was renewed; another worker took these rows',
        )
      }
    } catch (error) {
      logger.warn({ err: errorKind(error) }, 'lease renewal failed; tried again at the next turn')
    }
  }

  function schedule() {
    if (held.size === 0) return
    timer = setTimeout(() => {
      timer = undefined
      renewing = renew().finally(() => {
        renewing = undefined
        schedule()
      })
    }, leaseRenewalMs(options.leaseSeconds))
  }
  schedule()

  return {
    async release(keys) {
      if (keys === undefined) held.clear()
      else for (const key of keys) held.delete(key)
      if (held.size === 0) {
        clearTimeout(timer)
        timer = undefined
      }
      await renewing
    },
    held: () => [...held.keys()],
  }
}
