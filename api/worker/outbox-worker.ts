import type { Kysely } from 'kysely'
import pg from 'pg'
import type { Database, OutboxRow } from '../../db/database.ts'
import { claimDue, markDone, markFailed, outboxChannel } from '../../db/queries/outbox.ts'
import type { Logger } from '../logger.ts'

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
  pollIntervalMs?: number
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
  const batchSize = options.batchSize ?? 500
  const pollIntervalMs = options.pollIntervalMs ?? 1_000
  const leaseSeconds = options.leaseSeconds ?? 120
  const topics = Object.keys(handlers)
  let running = false
  let loop: Promise<void> | undefined
  let wake: (() => void) | undefined
  let listener: pg.Client | undefined

  async function runOnce(): Promise<number> {
    const rows = await claimDue(db, { limit: batchSize, leaseSeconds, topics })
    if (rows.length === 0) return 0
    const byTopic = new Map<string, OutboxRow[]>()
    for (const row of rows) byTopic.set(row.topic, [...(byTopic.get(row.topic) ?? []), row])
    for (const [topic, batch] of byTopic) {
      const handler = handlers[topic]
      if (!handler) continue
      try {
        await handler(batch)
        await markDone(
          db,
          batch.map((r) => r.id),
        )
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error)
        logger.warn({ topic, count: batch.length, err: message }, 'outbox batch failed')
        for (const row of batch) await markFailed(db, row, message)
      }
    }
    return rows.length
  }

  async function listen() {
    if (!options.databaseUrl) return
    try {
      listener = new pg.Client({ connectionString: options.databaseUrl })
      listener.on('error', () => undefined)
      listener.on('notification', () => wake?.())
      await listener.connect()
      await listener.query(`LISTEN ${outboxChannel}`)
    } catch (error) {
      // Polling still delivers everything; LISTEN only makes it quicker.
      logger.warn({ err: String(error) }, 'outbox LISTEN unavailable, polling only')
      listener = undefined
    }
  }

  async function run() {
    await listen()
    while (running) {
      let handled = 0
      try {
        handled = await runOnce()
      } catch (error) {
        logger.warn({ err: String(error) }, 'outbox poll failed')
      }
      if (handled > 0) continue
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollIntervalMs)
        wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      wake = undefined
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
      wake?.()
      await loop
      await listener?.end().catch(() => undefined)
    },
  }
}
