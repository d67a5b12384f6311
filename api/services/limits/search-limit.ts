import type { Kysely } from 'kysely'
import { addRateLimitCounts, rateLimitKey } from '../../../db/queries/complaints.ts'
import type { Database } from '../../../db/database.ts'
import type { Deps } from '../../deps.ts'
import { ApiError } from '../../errors.ts'
import type { Logger } from '../../logger.ts'
import { clientKey } from './client-key.ts'
import { windowOf } from './rate-limit.ts'

/** Searches are counted per minute. */
const searchWindow = { windowSeconds: 60 }
const flushIntervalMs = 1_000

interface Window {
  bucket: string
  start: number
  /** The total PostgreSQL last gave for the window, every instance's hits included. */
  shared: number
  /** Hits counted here and not yet added to PostgreSQL. */
  pending: number
  /** Hits being added to PostgreSQL right now: still counted until `shared` includes them. */
  sending: number
}

/**
 * Hit counters shared by every instance through PostgreSQL (rate_limit_hits), without a write per
 * hit: hits are counted in memory and added once a second, in one statement, which also brings
 * back what the other instances added. So a public search costs no database round trip, and an
 * instance learns the others' hits within a second; until then it may let through up to the limit
 * on its own. A failed write keeps its hits for the next one, and meanwhile hits are judged on
 * what this instance knows, so a database outage never stops searches.
 */
export class SharedHitCounter {
  readonly #db: Kysely<Database>
  readonly #logger: Logger
  readonly #windows = new Map<string, Window>()
  #timer: NodeJS.Timeout | undefined
  #flushing: Promise<void> = Promise.resolve()

  constructor(db: Kysely<Database>, logger: Logger) {
    this.#db = db
    this.#logger = logger
  }

  /** Counts one hit in `bucket`'s current window; returns the window's total as known here. */
  hit(bucket: string, now: number): number {
    const start = windowOf(searchWindow, now).start.getTime()
    const key = `${bucket}@${start}`
    let window = this.#windows.get(key)
    if (!window) {
      window = { bucket, start, shared: 0, pending: 0, sending: 0 }
      this.#windows.set(key, window)
    }
    window.pending += 1
    this.#schedule()
    return window.shared + window.sending + window.pending
  }

  #schedule() {
    if (this.#timer) return
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      void this.flush()
    }, flushIntervalMs)
    this.#timer.unref()
  }

  /** Adds the hits counted here to PostgreSQL and learns each window's total. One at a time. */
  flush(now = Date.now()): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#write(now))
    return this.#flushing
  }

  async #write(now: number) {
    for (const [key, window] of this.#windows) {
      if (window.pending === 0 && window.start < windowOf(searchWindow, now).start.getTime()) {
        this.#windows.delete(key)
      }
    }
    const sent = [...this.#windows.values()]
      .filter((w) => w.pending > 0)
      .map((window) => ({ window, hits: window.pending }))
    if (sent.length === 0) return
    for (const s of sent) {
      s.window.pending -= s.hits
      s.window.sending += s.hits
    }
    try {
      const totals = await addRateLimitCounts(
        this.#db,
        sent.map((s) => ({
          bucket: s.window.bucket,
          windowStart: new Date(s.window.start),
          hits: s.hits,
        })),
      )
      for (const { window, hits } of sent) {
        const key = rateLimitKey({ bucket: window.bucket, windowStart: new Date(window.start) })
        window.sending -= hits
        window.shared = totals.get(key) ?? window.shared + hits
      }
    } catch (error) {
      for (const s of sent) {
        s.window.sending -= s.hits
        s.window.pending += s.hits
      }
      this.#logger.warn({ err: String(error) }, 'search counts not stored; kept for the next try')
      this.#schedule()
    }
  }
}

const counters = new WeakMap<Kysely<Database>, SharedHitCounter>()

/** The counter of a connection pool: one per process and database. */
function searchCounterFor(db: Kysely<Database>, logger: Logger): SharedHitCounter {
  let counter = counters.get(db)
  if (!counter) {
    counter = new SharedHitCounter(db, logger)
    counters.set(db, counter)
  }
  return counter
}

/**
 * Counts one public text search from `address` and refuses it (429 with Retry-After) past
 * SEARCH_LIMIT_PER_ADDRESS in a minute: Meilisearch is reached only through us (DESIGN.md
 * section 2), and one client must not be able to take it over. An address the server could not
 * learn is not limited, as for complaints.
 */
export function countSearch(
  deps: Pick<Deps, 'db' | 'logger' | 'config' | 'privacy'>,
  address: string,
  now = Date.now(),
) {
  const max = deps.config.SEARCH_LIMIT_PER_ADDRESS
  if (max === 0) return
  const key = clientKey(deps.privacy.hashKey, address)
  if (key === undefined) return
  const total = searchCounterFor(deps.db, deps.logger).hit(`search:addr:${key}`, now)
  if (total <= max) return
  const { retryAfterSeconds } = windowOf(searchWindow, now)
  throw new ApiError(
    'RATE_LIMITED',
    `搜索太频繁：同一网络每分钟最多搜索 ${max} 次。请在 ${retryAfterSeconds} 秒后再试。`,
    { retryAfterSeconds },
  )
}

/**
 * Counts one public credit-record lookup (GET /api/enterprises/{uscc}/record) from `address`,
 * in a bucket of its own with the same per-minute limit as searches: a scraper walking every
 * code must not starve search, and a citizen reading records must not lose their searches.
 */
export function countRecordLookup(
  deps: Pick<Deps, 'db' | 'logger' | 'config' | 'privacy'>,
  address: string,
  now = Date.now(),
) {
  const max = deps.config.SEARCH_LIMIT_PER_ADDRESS
  if (max === 0) return
  const key = clientKey(deps.privacy.hashKey, address)
  if (key === undefined) return
  const total = searchCounterFor(deps.db, deps.logger).hit(`record:addr:${key}`, now)
  if (total <= max) return
  const { retryAfterSeconds } = windowOf(searchWindow, now)
  throw new ApiError(
    'RATE_LIMITED',
    `查询太频繁：同一网络每分钟最多查询 ${max} 次信用记录。请在 ${retryAfterSeconds} 秒后再试。`,
    { retryAfterSeconds },
  )
}
