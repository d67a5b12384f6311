import { CamelCasePlugin, Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import type { Database } from './database.ts'

// DATE columns stay 'YYYY-MM-DD' strings: a calendar day has no time zone, and turning it into a
// JS Date would shift it by the server's offset.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value)
// bigint ids and counts fit in a JS string without loss.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => value)

export interface DbOptions {
  connectionString: string
  max?: number
  applicationName?: string
}

export function createPool(options: DbOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'lishui-metrology',
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
  })
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined)
  // A checked-out client (mid-transaction) whose server goes away emits 'error' too; without a
  // listener that would end the process. Its pending query fails and the pool discards it.
  pool.on('connect', (client) => client.on('error', () => undefined))
  return pool
}

export function createDb(options: DbOptions): Kysely<Database> {
  return new Kysely<Database>({
    dialect: new PostgresDialect({ pool: createPool(options) }),
    plugins: [new CamelCasePlugin()],
  })
}

export type Db = Kysely<Database>
