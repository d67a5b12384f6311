import type { Selectable } from 'kysely'
import { listenOn, type ChannelListener } from '../db/listen.ts'
import type { OperatorSessionTable, OperatorTable } from '../db/database.ts'
import type { Logger } from './logger.ts'

/**
 * What loadSession (services/admin/sessions.ts) reads of a session and its operator, and what
 * this cache keeps. Written out here, not derived from that query, so that the service context
 * (deps.ts) can name the cache without importing the services.
 */
export type SessionRow = Pick<
  Selectable<OperatorSessionTable>,
  'stage' | 'lastSeenAt' | 'expiresAt'
> &
  Pick<
    Selectable<OperatorTable>,
    | 'id'
    | 'username'
    | 'role'
    | 'countyCode'
    | 'disabledAt'
    | 'mustChangePassword'
    | 'totpEnabledAt'
  >

/**
 * Console sessions this process confirmed in the database a moment ago, so the requests of a
 * page, a search box or a busy queue do not each ask PostgreSQL again (loadSession). It is only a
 * memory of "valid, nothing to write": loadSession answers from it while the session is neither
 * near its idle or absolute end nor due to be marked as seen, and asks the database otherwise.
 *
 * Nothing is kept longer than `ttlMs`, and everything is forgotten at once when a session or an
 * operator changes: by this process as it makes the change (sessions.ts, through the cache in
 * its deps), and by any
 * process, through PostgreSQL, whose triggers announce each change on `console_sessions`
 * (watchSessionChanges). While that announcement cannot be heard (not yet listening, or the
 * connection lost), nothing is kept, so every request asks the database as before.
 */
export class SessionCache {
  readonly #entries = new Map<string, { row: SessionRow; storedAt: number }>()
  #generation = 0
  #listening = false
  readonly #ttlMs: number
  readonly #limit: number
  /** Requests answered from memory and from the database, for the logs and the tests. */
  readonly stats = { hits: 0, misses: 0 }

  constructor(options: { ttlMs?: number | undefined; limit?: number | undefined } = {}) {
    this.#ttlMs = options.ttlMs ?? 10_000
    this.#limit = options.limit ?? 10_000
  }

  /** The row stored for `key` less than `ttlMs` ago, if changes are being heard. */
  get(key: string, now: number): SessionRow | undefined {
    const entry = this.#listening ? this.#entries.get(key) : undefined
    if (entry && now - entry.storedAt < this.#ttlMs) return entry.row
    return undefined
  }

  /** Taken before a database read: `put` keeps its row only if nothing was forgotten since. */
  get generation(): number {
    return this.#generation
  }

  put(key: string, row: SessionRow, generation: number, now: number) {
    if (!this.#listening || generation !== this.#generation) return
    this.#entries.delete(key)
    this.#entries.set(key, { row, storedAt: now })
    if (this.#entries.size > this.#limit) this.#entries.delete(this.#entries.keys().next().value!)
  }

  /** Forgets every session: something changed, or may have, and the database must be asked. */
  forget() {
    this.#generation++
    this.#entries.clear()
  }

  /** Whether changes are heard; either way, what was kept before is forgotten. */
  set listening(on: boolean) {
    this.#listening = on
    this.forget()
  }

  get listening(): boolean {
    return this.#listening
  }
}

export interface SessionWatch {
  cache: SessionCache
  close: () => Promise<void>
}

/**
 * A SessionCache that hears every change to sessions and operators: LISTEN console_sessions on
 * a connection of its own, reconnecting after a loss. It keeps nothing until it listens and
 * while it does not.
 */
export function watchSessionChanges(options: {
  databaseUrl: string
  logger: Logger
  ttlMs?: number
  reconnectMs?: number
}): SessionWatch {
  const cache = new SessionCache({ ttlMs: options.ttlMs })
  const reconnectMs = options.reconnectMs ?? 1_000
  let client: ChannelListener | undefined
  let closed = false
  let timer: NodeJS.Timeout | undefined

  const lost = (current: ChannelListener, error?: Error) => {
    if (client !== current) return
    client = undefined
    cache.listening = false
    current.end().catch(() => undefined)
    if (closed) return
    if (error !== undefined) {
      options.logger.warn({ err: error.message }, 'console session changes not heard; retrying')
    }
    timer = setTimeout(connect, reconnectMs)
    timer.unref()
  }

  const connect = () => {
    if (closed) return
    const current: ChannelListener = listenOn({
      databaseUrl: options.databaseUrl,
      channel: 'console_sessions',
      onNotification: () => cache.forget(),
      onError: (error) => lost(current, error),
      onEnd: () => lost(current),
    })
    client = current
    current.ready
      .then(() => {
        if (client === current && !closed) cache.listening = true
      })
      .catch((error: unknown) =>
        lost(current, error instanceof Error ? error : new Error(String(error))),
      )
  }
  connect()

  return {
    cache,
    close: async () => {
      closed = true
      clearTimeout(timer)
      cache.listening = false
      const current = client
      client = undefined
      await current?.end().catch(() => undefined)
    },
  }
}
