import type { Kysely } from 'kysely'
import type { Database, OutboxRow } from '../../db/database.ts'
import {
  claimDue,
  markDone,
  markFailed,
  outboxChannel,
  renewLease,
} from '../../db/queries/outbox.ts'
import type { Logger } from '../logger.ts'
import { afterFailure, outboxPolicy } from '../services/shared/queue-policy.ts'
import { createRest, listenFor, type Listener } from '../services/shared/listen.ts'
import { holdLease, type HeldLease } from '../services/shared/lease.ts'

/**
 * Handles a batch of messages of one topic. Resolving means every message in it is done;
 * throwing means none is (each is retried with backoff). A handler must be idempotent: a message
 * may be delivered again after a crash.
 */
export type OutboxHandler = (rows: OutboxRow[]) => Promise<void>

export interface OutboxWorkerOptions {
  db: Kysely<Database>
  handlers: Record<string, OutboxHandler>
  logger: Logger
  /** For LISTEN: wakes the worker the moment a message commits. Polling covers the rest. */
  databaseUrl?: string | undefined
  batchSize?: number
  /**
   * The least time from the start of one batch to the start of the next (2 s). An indexing task
   * costs Meilisearch about 150 ms of CPU whatever its size, and more as the index grows: at
   * 200,000 complaints a batch of 1,000 took 250–460 ms, one of 2,000 only a quarter more. So
   * during a burst a batch every two seconds costs about half of one a second and leaves the CPU
   * to intake (bench/intake.ts: Meilisearch 0.17 cores instead of 0.27, p99 at 1,000 complaints a
   * second 41–53 ms instead of 58–63 ms). The first message after a quiet spell is never held back.
   */
  minBatchIntervalMs?: number
  pollIntervalMs?: number
  /** How long a claim holds a batch between renewals (queue-policy.ts workLeaseSeconds). */
  leaseSeconds?: number
}

export interface OutboxWorker {
  /** Claims and handles due messages once; returns how many were handled. */
  runOnce: () => Promise<number>
  start: () => void
  stop: () => Promise<void>
}

export function createOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const { db, handlers, logger } = options
  const batchSize = options.batchSize ?? 2_000
  const minBatchIntervalMs = options.minBatchIntervalMs ?? 2_000
  const pollIntervalMs = options.pollIntervalMs ?? 1_000
  const leaseSeconds = options.leaseSeconds ?? outboxPolicy.leaseSeconds
  const topics = Object.keys(handlers)
  let running = false
  let loop: Promise<void> | undefined
  const rest = createRest()
  let listener: Listener | undefined

  async function runOnce(): Promise<number> {
    const rows = await claimDue(db, { limit: batchSize, leaseSeconds, topics })
    if (rows.length === 0) return 0
    // Held while the batch is handled, however long that takes; released row by row before the
    // outcome is written, so no renewal lands after it.
    const lease = holdLease({
      claims: rows.map((r) => ({ key: r.id, attempts: r.attempts })),
      leaseSeconds,
      renew: (claims) => renewLease(db, claims, leaseSeconds),
      logger,
    })
    try {
      await handleClaimed(rows, lease)
    } finally {
      await lease.release()
    }
    return rows.length
  }

  async function handleClaimed(rows: OutboxRow[], lease: HeldLease) {
    const byTopic = new Map<string, OutboxRow[]>()
    for (const row of rows) {
      const batch = byTopic.get(row.topic)
      if (batch) batch.push(row)
      else byTopic.set(row.topic, [row])
    }
    for (const [topic, batch] of byTopic) {
      const handler = handlers[topic]
      if (!handler) continue
      const ids = batch.map((r) => r.id)
      try {
        await handler(batch)
        await lease.release(ids)
        await markDone(db, ids)
      } catch (error) {
        await lease.release(ids)
        const message = error instanceof Error ? error.message : String(error)
        logger.warn({ topic, count: batch.length, err: message }, 'outbox batch failed')
        // A row keeps its own limit of tries (max_attempts), which wins over the policy's.
        for (const row of batch) {
          await markFailed(
            db,
            row,
            message,
            afterFailure(outboxPolicy, row.attempts, row.maxAttempts),
          )
        }
      }
    }
  }

  async function listen() {
    listener = await listenFor({
      databaseUrl: options.databaseUrl,
      channel: outboxChannel,
      onNotify: rest.notify,
      logger,
    })
  }

  /** Read afresh after each await: stop() may have run meanwhile. */
  const isRunning = () => running

  async function run() {
    await listen()
    while (running) {
      rest.passStarted()
      const started = performance.now()
      let handled = 0
      try {
        handled = await runOnce()
      } catch (error) {
        logger.warn({ err: String(error) }, 'outbox poll failed')
      }
      if (handled > 0) {
        // Busy: let the next batch gather; new messages wait for it.
        const gather = minBatchIntervalMs - (performance.now() - started)
        if (gather > 0 && isRunning()) await rest.wait(gather, false)
      } else if (isRunning()) {
        await rest.wait(pollIntervalMs)
      }
    }
  }

  return {
    runOnce,
    start() {
      if (running) return
      running = true
      loop = run()
    },
    async stop() {
      running = false
      rest.stop()
      await loop
      await listener?.close()
    },
  }
}
