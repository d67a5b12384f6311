import { sql, type Kysely } from 'kysely'
import type { Database } from '../db/database.ts'
import { median, round } from './lib.ts'
import { cpuSecondsBetween, cpuTicks } from './load.ts'

/** Where the cost of an operation is read from: the processes doing the work and the WAL. */
export type Watched = Record<string, number | undefined>

interface Reading {
  walLsn: bigint
  ticks: Record<string, Map<string, number>>
}

/**
 * CPU of each watched process (with its children: PostgreSQL works in one backend per connection)
 * from /proc, and PostgreSQL's WAL position: read before and after a phase, they give what one
 * operation cost.
 */
export async function readCost(db: Kysely<Database>, watched: Watched): Promise<Reading> {
  const { rows } = await sql<{ lsn: string }>`
    SELECT pg_current_wal_lsn() - '0/0'::pg_lsn AS lsn
  `.execute(db)
  return {
    walLsn: BigInt(rows[0]!.lsn),
    ticks: Object.fromEntries(Object.entries(watched).map(([k, pid]) => [k, cpuTicks(pid)])),
  }
}

export interface Cost {
  operations: number
  /** CPU milliseconds per operation of each watched process, and their sum. */
  cpuMsPerOperation: Record<string, number>
  walBytesPerOperation: number
}

export function costBetween(before: Reading, after: Reading, operations: number): Cost {
  const cpuMsPerOperation: Record<string, number> = {}
  let total = 0
  for (const [k, ticks] of Object.entries(after.ticks)) {
    const ms =
      (cpuSecondsBetween(before.ticks[k] ?? new Map<string, number>(), ticks) * 1000) / operations
    cpuMsPerOperation[k] = round(ms, 3)
    total += ms
  }
  cpuMsPerOperation.total = round(total, 3)
  return {
    operations,
    cpuMsPerOperation,
    walBytesPerOperation: round(Number(after.walLsn - before.walLsn) / operations),
  }
}

/** The median of each figure over rounds. */
export function medianCost(costs: readonly Cost[]) {
  const keys = [...new Set(costs.flatMap((c) => Object.keys(c.cpuMsPerOperation)))]
  return {
    cpuMsPerOperation: Object.fromEntries(
      keys.map((k) => [k, round(median(costs.map((c) => c.cpuMsPerOperation[k] ?? 0)), 3)]),
    ),
    walBytesPerOperation: round(median(costs.map((c) => c.walBytesPerOperation))),
  }
}

/** One line for people: `CPU 1.23 ms (api 0.8, postgres 0.4), WAL 640 B`. */
export function describeCost(cost: ReturnType<typeof medianCost>) {
  const { total, ...parts } = cost.cpuMsPerOperation
  const each = Object.entries(parts)
    .map(([k, v]) => `${k} ${round(v, 2)}`)
    .join(', ')
  return `CPU ${round(total ?? Number.NaN, 2)} ms (${each}), WAL ${Math.round(cost.walBytesPerOperation)} B`
}

/**
 * What the run wrote, table by table (rows inserted, updated, deleted; sizes) and index by index
 * (size, scans): which tables and indexes an operation's WAL and CPU go to.
 */
export async function writeProfile(db: Kysely<Database>) {
  const { rows: tables } = await sql<{
    table: string
    inserted: string
    updated: string
    hotUpdated: string
    deleted: string
    tableBytes: string
    indexBytes: string
  }>`
    SELECT relname AS table, n_tup_ins AS inserted, n_tup_upd AS updated,
           n_tup_hot_upd AS hot_updated, n_tup_del AS deleted,
           pg_table_size(relid) AS table_bytes, pg_indexes_size(relid) AS index_bytes
    FROM pg_stat_user_tables
    WHERE n_tup_ins + n_tup_upd + n_tup_del > 0
    ORDER BY n_tup_ins + n_tup_upd + n_tup_del DESC
  `.execute(db)
  const { rows: indexes } = await sql<{
    table: string
    index: string
    bytes: string
    scans: string
  }>`
    SELECT s.relname AS table, s.indexrelname AS index, pg_relation_size(s.indexrelid) AS bytes,
           s.idx_scan AS scans
    FROM pg_stat_user_indexes s
    JOIN pg_stat_user_tables t USING (relid)
    WHERE t.n_tup_ins + t.n_tup_upd + t.n_tup_del > 0
    ORDER BY s.relname, s.indexrelname
  `.execute(db)
  return {
    tables: tables.map((t) => ({
      table: t.table,
      inserted: Number(t.inserted),
      updated: Number(t.updated),
      hotUpdated: Number(t.hotUpdated),
      deleted: Number(t.deleted),
      tableBytes: Number(t.tableBytes),
      indexBytes: Number(t.indexBytes),
    })),
    indexes: indexes.map((i) => ({
      table: i.table,
      index: i.index,
      bytes: Number(i.bytes),
      scans: Number(i.scans),
    })),
  }
}

/** The server's `synchronous_commit`, which product and baseline share (neither changes it). */
export async function synchronousCommit(db: Kysely<Database>) {
  const { rows } = await sql<{ synchronousCommit: string }>`SHOW synchronous_commit`.execute(db)
  return rows[0]!.synchronousCommit
}
