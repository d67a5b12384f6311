import { sql, type Kysely } from 'kysely'
import type { Database } from '../database.ts'

/** The advisory lock's key of a sweep, apart from the other advisory locks by its `sweep:` tag. */
const sweepLockKey = (name: string) => sql`hashtextextended(${`sweep:${name}`}, 0)`

/**
 * Runs `work` while this process holds the sweep's session advisory lock, taken on a connection
 * of its own, and releases it after. When another process (a replica) holds it, answers at once
 * with `ran: false`: that process is doing the same work. A process that dies loses the lock
 * with its connection, so a crash never leaves a sweep locked.
 */
export async function runAloneAcrossProcesses<T>(
  db: Kysely<Database>,
  name: string,
  work: () => Promise<T>,
): Promise<{ ran: true; result: T } | { ran: false }> {
  return db.connection().execute(async (connection) => {
    const { rows } = await sql<{ locked: boolean }>`
      SELECT pg_try_advisory_lock(${sweepLockKey(name)}) AS locked
    `.execute(connection)
    if (!rows[0]?.locked) return { ran: false }
    try {
      return { ran: true, result: await work() }
    } finally {
      await sql`SELECT pg_advisory_unlock(${sweepLockKey(name)})`.execute(connection)
    }
  })
}
