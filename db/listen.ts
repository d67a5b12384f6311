import pg from 'pg'

/** A connection of its own that LISTENs on one channel (a pooled one would drop the LISTEN). */
export interface ChannelListener {
  /** Settles once LISTEN is in effect; rejects when connecting or LISTEN failed. */
  ready: Promise<void>
  /** Closes the connection (its 'end' handler runs). */
  end: () => Promise<void>
}

/**
 * Connects to `databaseUrl` and LISTENs on `channel`. The handlers are attached before the
 * connection is made, so an error while connecting reaches `onError` as well as `ready`.
 */
export function listenOn(options: {
  databaseUrl: string
  channel: string
  onNotification: () => void
  onError: (error: Error) => void
  onEnd?: () => void
}): ChannelListener {
  const client = new pg.Client({ connectionString: options.databaseUrl })
  client.on('error', options.onError)
  const { onEnd } = options
  if (onEnd) client.on('end', onEnd)
  client.on('notification', () => options.onNotification())
  const ready = client
    .connect()
    .then(() => client.query(`LISTEN ${options.channel}`))
    .then(() => undefined)
  return { ready, end: () => client.end() }
}
