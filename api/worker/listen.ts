import pg from 'pg'
import type { Logger } from '../logger.ts'

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
  const client = new pg.Client({ connectionString: options.databaseUrl })
  client.on('error', () => undefined)
  client.on('notification', () => options.onNotify())
  try {
    await client.connect()
    await client.query(`LISTEN ${options.channel}`)
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
