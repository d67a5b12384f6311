import { Connections } from './http-client.ts'
import { sql } from 'kysely'
import { countyCodes } from '../api/domain/counties.ts'
import {
  generateWebhookSecret,
  newWebhookId,
  parseWebhookSecret,
  signWebhook,
} from '../api/hotline/signature.ts'
import { reindexAll } from '../api/search/reindex.ts'
import { insertSyntheticEnterprises } from '../scripts/demo/bulk.ts'
import { complaintBody, forwardedFor } from './intake.ts'
import { isolatedStack, round, stackEnv } from './lib.ts'
import { cpuSecondsBetween, cpuTicks, sender, startServerChild, waitUntilQuiet } from './load.ts'
import { queries } from './search.ts'

/**
 * What one complaint, one public search and one 12345 event cost on this machine, for
 * docs/capacity.md: CPU of the API process (its worker thread included), of PostgreSQL and of
 * Meilisearch; WAL bytes; rows written and bytes grown per table; Meilisearch's database growth.
 * Not a latency benchmark: each phase sends `--n` operations at a modest concurrency, then waits
 * until every one is stored, applied and indexed and the machine is quiet, and divides.
 *
 *   node --import tsx bench/capacity.ts [--n 3000] [--enterprises 100000]
 */
const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`)
  return at > 0 ? Number(process.argv[at + 1]) : fallback
}
const n = arg('n', 3000)
const enterpriseCount = arg('enterprises', 100_000)
const concurrency = 8
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const { stack, stop } = await isolatedStack('capacity')
const { db } = stack.deps
const secret = generateWebhookSecret()
const connections = new Connections({ maxSockets: 64, idleMs: 4_000 })
let api: Awaited<ReturnType<typeof startServerChild>> | undefined

interface Snapshot {
  cpu: { api: Map<string, number>; postgres: Map<string, number>; meilisearch: Map<string, number> }
  walLsn: string
  tables: Map<string, { ins: number; upd: number; del: number; bytes: number }>
  meili: { used: number; size: number; documents: Record<string, number> }
}

async function snapshot(): Promise<Snapshot> {
  const pids = {
    api: api?.pid,
    postgres: stack.embeddedPostgres?.pid(),
    meilisearch: stack.embeddedMeili?.pid(),
  }
  const cpu = {
    api: cpuTicks(pids.api),
    postgres: cpuTicks(pids.postgres),
    meilisearch: cpuTicks(pids.meilisearch),
  }
  const wal = await sql<{ lsn: string }>`SELECT pg_current_wal_lsn()::text AS lsn`.execute(db)
  const { rows } = await sql<{
    name: string
    ins: string
    upd: string
    del: string
    bytes: string
  }>`
    SELECT relname AS name, n_tup_ins AS ins, n_tup_upd AS upd, n_tup_del AS del,
           pg_total_relation_size(relid) AS bytes
    FROM pg_stat_user_tables
  `.execute(db)
  const stats = (await (
    await fetch(`${stack.meiliUrl}/stats`, {
      headers: { authorization: `Bearer ${stack.meiliKey ?? ''}` },
    })
  ).json()) as {
    databaseSize: number
    usedDatabaseSize: number
    indexes: Record<string, { numberOfDocuments: number }>
  }
  return {
    cpu,
    walLsn: wal.rows[0]!.lsn,
    tables: new Map(
      rows.map((r) => [
        r.name,
        { ins: Number(r.ins), upd: Number(r.upd), del: Number(r.del), bytes: Number(r.bytes) },
      ]),
    ),
    meili: {
      used: stats.usedDatabaseSize,
      size: stats.databaseSize,
      documents: Object.fromEntries(
        Object.entries(stats.indexes).map(([uid, s]) => [uid, s.numberOfDocuments]),
      ),
    },
  }
}

async function perOperation(before: Snapshot, after: Snapshot, count: number) {
  const wal = await sql<{ bytes: string }>`
    SELECT pg_wal_lsn_diff(${after.walLsn}::pg_lsn, ${before.walLsn}::pg_lsn) AS bytes
  `.execute(db)
  const tables: Record<string, { rowsWritten: number; bytes: number }> = {}
  for (const [name, a] of after.tables) {
    const b = before.tables.get(name) ?? { ins: 0, upd: 0, del: 0, bytes: 0 }
    const written = a.ins - b.ins + (a.upd - b.upd) + (a.del - b.del)
    const grown = a.bytes - b.bytes
    if (written === 0 && grown === 0) continue
    tables[name] = { rowsWritten: round(written / count, 2), bytes: Math.round(grown / count) }
  }
  const cpuMs = (key: keyof Snapshot['cpu']) =>
    round((cpuSecondsBetween(before.cpu[key], after.cpu[key]) * 1000) / count, 3)
  return {
    count,
    cpuMs: { api: cpuMs('api'), postgres: cpuMs('postgres'), meilisearch: cpuMs('meilisearch') },
    walBytes: Math.round(Number(wal.rows[0]!.bytes) / count),
    tables,
    meiliUsedBytes: Math.round((after.meili.used - before.meili.used) / count),
    meiliFileBytes: Math.round((after.meili.size - before.meili.size) / count),
  }
}

/** Sends `count` operations, `concurrency` at a time; the statuses seen, by code. */
async function send(count: number, one: (i: number) => Promise<number>) {
  const statuses: Record<number, number> = {}
  let next = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const status = await one(next++)
        statuses[status] = (statuses[status] ?? 0) + 1
      }
    }),
  )
  return statuses
}

/** Until the outbox and the 12345 inbox are drained and every complaint is indexed, then quiet. */
async function settle() {
  const index = stack.deps.search.meili.index(stack.deps.search.indexName('complaints'))
  for (let waited = 0; waited < 300_000; waited += 500) {
    const { rows } = await sql<{ outbox: string; inbox: string; cases: string }>`
      SELECT (SELECT count(*) FROM outbox) AS outbox,
             (SELECT count(*) FROM hotline_inbox WHERE state = 'pending') AS inbox,
             (SELECT count(*) FROM complaints) AS cases
    `.execute(db)
    const stats = await index.getStats()
    const row = rows[0]!
    if (
      Number(row.outbox) === 0 &&
      Number(row.inbox) === 0 &&
      !stats.isIndexing &&
      stats.numberOfDocuments >= Number(row.cases)
    )
      break
    await sleep(500)
  }
  await waitUntilQuiet([api?.pid, stack.embeddedPostgres?.pid(), stack.embeddedMeili?.pid()], 120)
  // Table statistics reach pg_stat_user_tables within a second of each backend's commit.
  await sleep(2_000)
}

/** A 12345 event: every fourth a new ticket with a caller, the others follow-ups of one. */
function eventBody(run: string, i: number, now: number) {
  const ticket = Math.floor(i / 4)
  const ticketNo = `CAP-${run}-${String(ticket).padStart(7, '0')}`
  const occurredAt = new Date(now).toISOString().replace('Z', '+00:00')
  const followUps = ['ticket.urged', 'ticket.supplemented', 'ticket.supervised'] as const
  if (i % 4 !== 0) {
    const type = followUps[(i % 4) - 1]!
    const detail =
      type === 'ticket.supplemented'
        ? { content: '市民补充：摊位在东门入口第三排。', attachments: [] }
        : { note: '市民来电催问办理进度。' }
    return JSON.stringify({
      type,
      occurred_at: occurredAt,
      ticket: { ticket_no: ticketNo },
      detail,
    })
  }
  return JSON.stringify({
    type: 'ticket.dispatched',
    occurred_at: occurredAt,
    ticket: {
      ticket_no: ticketNo,
      title: '菜市场缺斤短两',
      content: `容量测算第 ${ticket} 单：买了一斤排骨，回家复秤只有九两，要求核查摊位电子秤。`,
      appeal_type: '投诉',
      urgency: 'normal',
      contact_name: '容量测算',
      contact_phone: `138${String(ticket % 1e8).padStart(8, '0')}`,
      area_code: countyCodes[ticket % countyCodes.length],
      address: '莲都区测算菜场',
      respondent_name: `测算菜场 ${ticket % 500} 号摊位`,
      assigned_at: occurredAt,
      deadline: new Date(now + 10 * 86_400_000).toISOString().replace('Z', '+00:00'),
      host_dept: '丽水市市场监督管理局',
      assist_depts: [],
      attachments: [],
    },
  })
}

try {
  process.stderr.write(`capacity: ${enterpriseCount} businesses, reindex…\n`)
  await insertSyntheticEnterprises(db, enterpriseCount)
  await reindexAll({ db, search: stack.deps.search, logger: stack.deps.logger })
  api = await startServerChild(
    'api-server.ts',
    stackEnv(stack, {
      LOG_LEVEL: 'warn',
      TRUST_PROXY: 'true',
      // Counted as always, under a limit the run never reaches (all searches come from one address).
      SEARCH_LIMIT_PER_ADDRESS: String(1e9),
      HOTLINE_WEBHOOK_SECRET: secret,
    }),
    '/api/complaints',
  )
  const port = api.port
  process.stderr.write('capacity: waiting for the worker’s first sweeps to finish…\n')
  await settle()
  const results: Record<string, unknown> = {}

  // Warm each path a little first (code loaded, pool connections open).
  let serial = 1_000_000
  const complaint = sender(connections, port, () => {
    const i = serial++
    return {
      method: 'POST',
      path: '/api/complaints',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor(i) },
      body: complaintBody(i),
    }
  })
  await send(100, complaint)
  await settle()
  let before = await snapshot()
  results.complaintStatuses = await send(n, complaint)
  await settle()
  results.complaint = await perOperation(before, await snapshot(), n)
  process.stderr.write(`capacity: complaint ${JSON.stringify(results.complaint)}\n`)

  const search = sender(connections, port, (i) => ({
    method: 'GET',
    path: `/api/search?q=${encodeURIComponent(queries[i % queries.length]!)}`,
    headers: {},
  }))
  await send(100, search)
  await settle()
  before = await snapshot()
  results.searchStatuses = await send(n, search)
  await settle()
  results.search = await perOperation(before, await snapshot(), n)
  process.stderr.write(`capacity: search ${JSON.stringify(results.search)}\n`)

  const key = parseWebhookSecret(secret)
  const run = Date.now().toString(36)
  let eventSerial = 0
  const event = sender(connections, port, () => {
    const i = eventSerial++
    const now = Date.now()
    const body = eventBody(run, i, now)
    return {
      method: 'POST',
      path: '/api/hotline/12345/events',
      headers: {
        'content-type': 'application/json',
        ...signWebhook(key, newWebhookId(), now / 1000, body),
      },
      body,
    }
  })
  await send(100, event)
  await settle()
  before = await snapshot()
  results.eventStatuses = await send(n, event)
  await settle()
  results.event = await perOperation(before, await snapshot(), n)
  process.stderr.write(`capacity: event ${JSON.stringify(results.event)}\n`)

  const { rows } = await sql<{ name: string; bytes: string; rows: string }>`
    SELECT relname AS name, pg_total_relation_size(relid) AS bytes, n_live_tup AS rows
    FROM pg_stat_user_tables ORDER BY pg_total_relation_size(relid) DESC LIMIT 12
  `.execute(db)
  results.largestTables = rows
  console.log(JSON.stringify(results, null, 2))
} finally {
  await api?.stop()
  connections.destroy()
  await stop()
}
