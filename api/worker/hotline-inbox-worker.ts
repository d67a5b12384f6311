import { hotlineInboxChannel } from '../../db/queries/hotline-inbox.ts'
import type { Deps } from '../deps.ts'
import type { Logger } from '../logger.ts'
import { createRest, listenFor, type Listener } from '../services/shared/listen.ts'
import { applyPendingInboxEvents, type ApplyOutcome } from '../services/hotline/apply.ts'

export interface HotlineInboxWorkerOptions {
  deps: Pick<Deps, 'db' | 'privacy'>
  logger: Logger
  /** For LISTEN: wakes the worker the moment an event is stored. Polling covers the rest. */
  databaseUrl?: string | undefined
  pollIntervalMs?: number
  /**
   * The least time from the start of one busy pass to the start of the next. During a burst the
   * events of a ticket then arrive together and are applied in one transaction, and the case is
   * folded and reindexed once for all of them; the first event after a quiet spell is never held
   * back.
   */
  minPassIntervalMs?: number
  /** The worker's clock (tests move it to reach events waiting for a retry). */
  now?: () => Date
}

export interface HotlineInboxWorker {
  /** Applies every due event once; returns what happened to each. */
  runOnce: () => Promise<ApplyOutcome[]>
  start: () => void
  stop: () => Promise<void>
}

/**
 * Applies the events the 12345 hotline sent (inbox.ts stores them, apply.ts applies them), woken by
 * LISTEN hotline_inbox and polling as a fallback. A ticket's events are applied together, in a
 * transaction that holds their rows, so several workers share the inbox and a crash loses nothing.
 */
export function createHotlineInboxWorker(options: HotlineInboxWorkerOptions): HotlineInboxWorker {
  const { logger } = options
  const ctx = { ...options.deps, logger }
  const pollIntervalMs = options.pollIntervalMs ?? 2_000
  const minPassIntervalMs = options.minPassIntervalMs ?? 250
  let running = false
  let loop: Promise<void> | undefined
  const rest = createRest()
  let listener: Listener | undefined

  const runOnce = () => applyPendingInboxEvents(ctx, options.now ? { now: options.now } : {})

  async function listen() {
    listener = await listenFor({
      databaseUrl: options.databaseUrl,
      channel: hotlineInboxChannel,
      onNotify: rest.notify,
      logger,
    })
  }

  const isRunning = () => running

  async function run() {
    await listen()
    while (running) {
      rest.passStarted()
      const started = performance.now()
      let handled = 0
      try {
        handled = (await runOnce()).length
      } catch (error) {
        logger.warn({ err: String(error) }, 'hotline inbox poll failed')
      }
      // Busy: the next events gather for a moment, so they are applied together.
      const gather = minPassIntervalMs - (performance.now() - started)
      if (handled > 0 && gather > 0 && isRunning()) await rest.wait(gather, false)
      if (isRunning()) await rest.wait(pollIntervalMs)
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
