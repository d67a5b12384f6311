import { CamelCasePlugin, Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import type { Database } from './database.ts'

// DATE columns stay 'YYYY-MM-DD' strings: a calendar day has no time zone, and turning it into a
// JS Date would shift it by the server's offset.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value)
// bigint ids and counts fit in a JS string without loss.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => value)

/** The `application_name` of the web process's connections, unless told another. */
export const defaultApplicationName = 'lishui-metrology'

export interface DbOptions {
  connectionString: string
  max?: number
  applicationName?: string | undefined
  /** Called with each new connection, before it is first used. */
  onConnect?: ((client: pg.PoolClient) => void) | undefined
}

export function createPool(options: DbOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName ?? defaultApplicationName,
    connectionTimeoutMillis: 10_000,
    // A connection is kept through quiet spells: opening one costs a server process, a SCRAM
    // exchange and cold caches, and a burst after half a minute of quiet paid that for the whole
    // pool at once (hundreds of ms on /api/search, bench/search.ts). Idle connections do not keep
    // a script alive on their own.
    idleTimeoutMillis: 10 * 60_000,
    allowExitOnIdle: true,
  })
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined)
  // A checked-out client (mid-transaction) whose server goes away emits 'error' too; without a
  // listener that would end the process. Its pending query fails and the pool discards it.
  pool.on('connect', (client) => {
    client.on('error', () => undefined)
    options.onConnect?.(client)
  })
  return pool
}

export function createDb(options: DbOptions): Kysely<Database> {
  return new Kysely<Database>({
    dialect: new PostgresDialect({ pool: createPool(options) }),
    plugins: [new CamelCasePlugin()],
  })
}

export type Db = Kysely<Database>
