import { listenOn, type ChannelListener } from '../db/listen.ts'
import type { Logger } from '../api/logger.ts'

/** Notified by every committed change to published data (migration 2026-11-27T1703). */
export const siteDataChannel = 'site_data'

export interface ChangeListener {
  /** Connects and LISTENs unless already listening: call again after a lost connection. */
  ensure: () => Promise<void>
  stop: () => Promise<void>
}

/**
 * Calls `onChange` when a transaction that changed published data commits, in whatever process.
 * Listening only makes publishing quick: a lost connection is noticed and replaced by the next
 * `ensure`, and the rebuilder's periodic stamp check covers what was missed meanwhile.
 */
export function listenForChanges(options: {
  databaseUrl: string
  onChange: () => void
  logger: Logger
}): ChangeListener {
  let listener: ChannelListener | undefined
  let connecting = false
  let stopped = false
  const isStopped = () => stopped

  return {
    ensure: async () => {
      if (listener || connecting || stopped) return
      connecting = true
      const lost = () => {
        if (listener === client) listener = undefined
      }
      const client = listenOn({
        databaseUrl: options.databaseUrl,
        channel: siteDataChannel,
        onNotification: options.onChange,
        onError: lost,
        onEnd: lost,
      })
      try {
        await client.ready
        if (isStopped()) await client.end()
        else listener = client
      } catch (error) {
        options.logger.warn({ err: String(error) }, 'LISTEN unavailable, checking periodically')
        await client.end().catch(() => undefined)
      } finally {
        connecting = false
      }
    },
    stop: async () => {
      stopped = true
      await listener?.end().catch(() => undefined)
    },
  }
}
