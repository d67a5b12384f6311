import { sql, type Kysely } from 'kysely'
import type pg from 'pg'
import type { Database } from '../database.ts'

/** The cheapest question PostgreSQL answers: resolves when it does, rejects when it cannot. */
export async function pingDatabase(db: Kysely<Database>): Promise<void> {
  await sql`SELECT 1`.execute(db)
}

/** The process id of the server process serving this connection. */
export async function backendPidOf(client: pg.ClientBase): Promise<number> {
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')
  return rows[0]!.pid
}
