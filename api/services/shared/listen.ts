import { listenOn } from '../../../db/listen.ts'
import type { Logger } from '../../logger.ts'

export interface Listener {
  close: () => Promise<void>
}

/**
 * LISTENs on `channel` with a connection of its own and calls `onNotify` for each notification.
 * The workers poll as well, so a worker without it (no URL, or the connection failed) still does
 * everything, only later: the failure is logged and undefined returned.
 */
export async function listenFor(options: {
  databaseUrl: string | undefined
  channel: string
  onNotify: () => void
  logger: Logger
}): Promise<Listener | undefined> {
  if (!options.databaseUrl) return undefined
  const client = listenOn({
    databaseUrl: options.databaseUrl,
    channel: options.channel,
    onNotification: options.onNotify,
    onError: () => undefined,
  })
  try {
    await client.ready
  } catch (error) {
    options.logger.warn(
      { err: String(error), channel: options.channel },
      'LISTEN unavailable, polling only',
    )
    await client.end().catch(() => undefined)
    return undefined
  }
  return { close: () => client.end().catch(() => undefined) }
}

export interface Rest {
  /** A notification came: work is waiting. Ends a rest that notifications may end. */
  notify: () => void
  /** The worker stops: ends the current rest, and every later one at once. */
  stop: () => void
  /** A pass begins: what was notified so far it will find. */
  passStarted: () => void
  /**
   * Waits up to `ms`. stop() ends it; so does a notification, unless `byNotify` is false, and one
   * that came since the pass began ends it before it starts.
   */
  wait: (ms: number, byNotify?: boolean) => Promise<void>
}

/** A worker's rest between passes, cut short by LISTEN notifications (listenFor) and by stop. */
export function createRest(): Rest {
  let end: (() => void) | undefined
  let endByNotify = false
  let notified = false
  let stopped = false
  return {
    notify: () => {
      notified = true
      if (endByNotify) end?.()
    },
    stop: () => {
      stopped = true
      end?.()
    },
    passStarted: () => {
      notified = false
    },
    wait: (ms, byNotify = true) =>
      new Promise<void>((resolve) => {
        if (stopped || (byNotify && notified)) {
          resolve()
          return
        }
        const timer = setTimeout(resolve, Math.max(0, ms))
        endByNotify = byNotify
        end = () => {
          clearTimeout(timer)
          resolve()
        }
      }).finally(() => {
        end = undefined
        endByNotify = false
      }),
  }
}

export interface DeliveryLoop {
  stop: () => Promise<void>
}

/**
 * The delivery loop of a worker process, the one every outgoing queue runs (12345 callbacks,
 * notices to handlers, SMS to residents): runs `pass`, then sleeps until `nextDue` (at most
 * `pollIntervalMs`), woken early by NOTIFY on `channel` when a row is queued or retried. Several
 * processes may run it: passes claim rows with SKIP LOCKED. A failed pass is logged as `failure`
 * and tried again within 5 s.
 */
export function startDeliveryLoop(options: {
  channel: string
  databaseUrl: string | undefined
  pollIntervalMs: number
  logger: Logger
  failure: string
  pass: () => Promise<unknown>
  /** When the next row is due; undefined when none waits. */
  nextDue: () => Promise<Date | undefined>
}): DeliveryLoop {
  const { logger } = options
  let running = true
  const rest = createRest()
  let listener: Listener | undefined
  const isRunning = () => running

  async function run() {
    listener = await listenFor({
      databaseUrl: options.databaseUrl,
      channel: options.channel,
      onNotify: rest.notify,
      logger,
    })
    while (isRunning()) {
      let waitMs = options.pollIntervalMs
      rest.passStarted()
      try {
        await options.pass()
        const next = await options.nextDue()
        if (next) waitMs = Math.min(waitMs, next.getTime() - Date.now())
      } catch (error) {
        logger.warn({ err: String(error) }, options.failure)
        waitMs = Math.min(waitMs, 5_000)
      }
      if (isRunning()) await rest.wait(Math.max(waitMs, 0))
    }
  }

  const loop = run()
  return {
    stop: async () => {
      running = false
      rest.stop()
      await loop
      await listener?.close()
    },
  }
}
