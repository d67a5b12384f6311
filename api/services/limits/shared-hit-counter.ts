import type { Kysely } from 'kysely'
import { addRateLimitCounts, rateLimitKey } from '../../../db/queries/complaints.ts'
import type { Database } from '../../../db/database.ts'
import type { Logger } from '../../logger.ts'
import { windowOf } from './rate-limit.ts'

const flushIntervalMs = 1_000
/** Past this share of its limit, as known here, a window counts every hit in PostgreSQL first. */
const exactFromShare = 0.5
/**
 * At most this share of a limit (and at least one hit) is let through here before PostgreSQL has
 * it. Each instance can overshoot by no more than that: 2 % of the limit per replica.
 */
const unwrittenShare = 0.02
/** How long a hit waits for PostgreSQL's count before it is judged on what this instance knows. */
const exactWaitMs = 2_000
/** Failures and slow answers are logged at most this often: a flood must not flood the log. */
const warnEveryMs = 10_000

interface Window {
  bucket: string
  start: number
  /** The total PostgreSQL last gave for the window, every instance's hits included. */
  shared: number
  /** Hits counted here and not yet added to PostgreSQL. */
  pending: number
  /** Hits being added to PostgreSQL right now: still counted until `shared` includes them. */
  sending: number
  /** Hits waiting to be added to PostgreSQL before they are judged, each told its place. */
  waiting: ((total: number) => void)[]
  /** Whether such hits are being added now; the next ones wait and go together. */
  writing: boolean
}

const unwrittenAllowance = (max: number) => Math.max(1, Math.floor(max * unwrittenShare))

/**
 * Hit counters shared by every instance through PostgreSQL (rate_limit_hits), without a write per
 * hit while a client is far from its limit: hits are then counted in memory and added once a
 * second, in one statement that also brings back what the other instances added.
 *
 * Counting in memory alone lets each instance through up to the limit on its own (issue 26: 295
 * searches answered against a limit of 180 with two replicas), so a window is counted in
 * PostgreSQL BEFORE its hits are judged once this instance knows it past half its limit, or once
 * it holds more unwritten hits than a small share of the limit (a burst). Those hits go in one
 * upsert per window at a time, every hit that arrived meanwhile together, and each is judged by
 * its place in the total PostgreSQL answers. What slips through unwritten is then at most that
 * small share per instance. A window PostgreSQL has already put over its limit refuses locally
 * again, so a flood past the limit costs no write per request.
 *
 * A database that fails or does not answer in time never stops searches: hits are then judged on
 * what this instance knows (as before issue 26) and kept for the next write, and this is logged.
 */
export class SharedHitCounter {
  readonly #db: Kysely<Database>
  readonly #logger: Logger
  readonly #window: { windowSeconds: number }
  readonly #windows = new Map<string, Window>()
  #timer: NodeJS.Timeout | undefined
  #flushing: Promise<void> = Promise.resolve()
  /** Since the last write failed or stalled, until one succeeds: hits are judged here. */
  #degraded = false
  #lastWarnAt = 0

  constructor(db: Kysely<Database>, logger: Logger, windowSeconds = 60) {
    this.#db = db
    this.#logger = logger
    this.#window = { windowSeconds }
  }

  /**
   * Counts one hit in `bucket`'s current window and answers the window's total with this hit,
   * which the caller compares with `max`: counted in PostgreSQL first when the window is near
   * `max` or in a burst, from memory otherwise.
   */
  async hit(bucket: string, max: number, now: number): Promise<number> {
    const window = this.#windowAt(bucket, now)
    const unwritten = window.pending + window.sending + window.waiting.length + 1
    const known = window.shared + unwritten
    const local =
      this.#degraded ||
      window.shared > max ||
      (!window.writing && known <= max * exactFromShare && unwritten <= unwrittenAllowance(max))
    if (local) {
      window.pending += 1
      this.#schedule()
      return known
    }
    return new Promise<number>((resolve) => {
      window.waiting.push(resolve)
      if (!window.writing) void this.#writeWaiting(window)
    })
  }

  #windowAt(bucket: string, now: number): Window {
    const start = windowOf(this.#window, now).start.getTime()
    const key = `${bucket}@${start}`
    let window = this.#windows.get(key)
    if (!window) {
      window = { bucket, start, shared: 0, pending: 0, sending: 0, waiting: [], writing: false }
      this.#windows.set(key, window)
    }
    return window
  }

  /** Adds the waiting hits (and the pending ones) in one upsert, then tells each its place. */
  async #writeWaiting(window: Window) {
    window.writing = true
    while (window.waiting.length > 0) {
      const judged = window.waiting.splice(0)
      const hits = window.pending + judged.length
      window.pending = 0
      window.sending += hits
      let answered = false
      const answer = (total: number) => {
        if (answered) return
        answered = true
        judged.forEach((resolve, i) => resolve(total - judged.length + 1 + i))
      }
      // Hits the database has not placed in time are judged on this instance's count.
      const knownHere = () => window.shared + window.sending + window.pending
      const stalled = setTimeout(() => {
        this.#degraded = true
        this.#warn('search counts not confirmed in time; judged on this instance’s count')
        answer(knownHere())
      }, exactWaitMs)
      stalled.unref()
      const totals = await this.#send([{ window, hits }])
      clearTimeout(stalled)
      const total = totals?.get(rateLimitKey(keyOf(window)))
      answer(total ?? knownHere())
    }
    window.writing = false
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
    this.#flushing = this.#flushing.then(() => this.#flushPending(now))
    return this.#flushing
  }

  async #flushPending(now: number) {
    const current = windowOf(this.#window, now).start.getTime()
    for (const [key, window] of this.#windows) {
      const idle = window.pending === 0 && window.sending === 0 && !window.writing
      if (idle && window.start < current) this.#windows.delete(key)
    }
    const sent = [...this.#windows.values()]
      .filter((w) => w.pending > 0)
      .map((window) => ({ window, hits: window.pending }))
    if (sent.length === 0) return
    for (const s of sent) {
      s.window.pending -= s.hits
      s.window.sending += s.hits
    }
    await this.#send(sent)
  }

  /**
   * Adds hits already moved to `sending`; answers the windows' totals, or undefined when the
   * write failed: the hits are then pending again, for the next try.
   */
  async #send(sent: { window: Window; hits: number }[]): Promise<Map<string, number> | undefined> {
    try {
      const totals = await addRateLimitCounts(
        this.#db,
        sent.map((s) => ({ ...keyOf(s.window), hits: s.hits })),
      )
      for (const { window, hits } of sent) {
        window.sending -= hits
        // Writes of one window may come back out of order: a total never goes back.
        const total = totals.get(rateLimitKey(keyOf(window))) ?? window.shared + hits
        window.shared = Math.max(window.shared, total)
      }
      this.#degraded = false
      return totals
    } catch (error) {
      for (const s of sent) {
        s.window.sending -= s.hits
        s.window.pending += s.hits
      }
      this.#degraded = true
      this.#warn('search counts not stored; kept for the next try', String(error))
      this.#schedule()
      return undefined
    }
  }

  #warn(message: string, err?: string) {
    const now = Date.now()
    if (now - this.#lastWarnAt < warnEveryMs) return
    this.#lastWarnAt = now
    this.#logger.warn(err === undefined ? {} : { err }, message)
  }
}

const keyOf = (window: Window) => ({ bucket: window.bucket, windowStart: new Date(window.start) })
