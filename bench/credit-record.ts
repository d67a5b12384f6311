import { Connections } from './http-client.ts'
import { sql } from 'kysely'
import { insertSyntheticEnterprises } from '../scripts/demo/bulk.ts'
import { insertCreditVolume } from './credit-record-data.ts'
import {
  openLoop,
  sender,
  startServerChild,
  stats,
  waitUntilQuiet,
  type Round,
  type Send,
} from './load.ts'
import {
  isolatedStack,
  machine,
  round,
  sourceVersion,
  stackEnv,
  type BenchOptions,
  type BenchOutcome,
} from './lib.ts'

const enterpriseCount = 100_000
const visitsEach = 5
const casesEach = 5
const warmUpSeconds = 3
const targetNames = ['bare', 'api'] as const
type Target = (typeof targetNames)[number]

/**
 * GET /api/enterprises/{uscc}/record (the product's Hono app over HTTP) against a bare Hono
 * handler running the same indexed queries, over 100,000 businesses with 500,000 published
 * inspection visits and 500,000 complaints naming them, at a fixed rate, in the same run. Codes
 * are asked in a fixed pseudo-random order over the whole list, so the cache is no friendlier to
 * one target than to the other.
 */
export async function run(given: BenchOptions): Promise<BenchOutcome> {
  const options = { ...given, rate: given.rate ?? 200, seconds: given.seconds ?? 20 }
  const { stack, stop } = await isolatedStack('credit-record')
  let api: Awaited<ReturnType<typeof startServerChild>> | undefined
  let bare: Awaited<ReturnType<typeof startServerChild>> | undefined
  const connections = new Connections({ maxSockets: 256, idleMs: 4_000 })
  try {
    const { db } = stack.deps
    process.stderr.write(`credit-record: inserting ${enterpriseCount} businesses…\n`)
    await insertSyntheticEnterprises(db, enterpriseCount)
    process.stderr.write('credit-record: inserting 1,000,000 inspection and case rows…\n')
    const dataStarted = performance.now()
    await insertCreditVolume(db, { visitsEach, casesEach })
    const dataSeconds = (performance.now() - dataStarted) / 1000
    // Outside any transaction block, as VACUUM must be: fresh statistics and visibility maps, so
    // that autovacuum does not start on the freshly loaded tables in the middle of a round.
    process.stderr.write('credit-record: vacuuming…\n')
    await sql`VACUUM ANALYZE`.execute(db)
    const codes = (await db.selectFrom('enterprises').select('uscc').orderBy('uscc').execute()).map(
      (r) => r.uscc,
    )
    // A fixed stride through the list (coprime with its length): every code, none twice in a row.
    const codeOf = (i: number) => codes[(i * 7_919) % codes.length]!

    const env = stackEnv(stack, {
      LOG_LEVEL: 'info',
      WORKER_ENABLED: 'false',
      SEARCH_LIMIT_PER_ADDRESS: String(1e9),
    })
    api = await startServerChild('api-server.ts', env, '/api/enterprises')
    bare = await startServerChild('bare-record-server.ts', env, '/bare')
    const targets: Record<Target, Send> = {
      bare: sender(connections, bare.port, (i) => ({
        method: 'GET',
        path: `/bare/${codeOf(i)}`,
        headers: {},
      })),
      api: sender(connections, api.port, (i) => ({
        method: 'GET',
        path: `/api/enterprises/${codeOf(i)}/record`,
        headers: { 'accept-encoding': 'gzip' },
      })),
    }
    const watch = {
      apiServer: api.pid,
      bareServer: bare.pid,
      postgres: stack.embeddedPostgres?.pid(),
    }
    process.stderr.write('credit-record: waiting for the machine to settle…\n')
    const settleSeconds = await waitUntilQuiet([stack.embeddedPostgres?.pid()])
    for (const [name, send] of Object.entries(targets)) {
      process.stderr.write(`credit-record: warming up ${name}…\n`)
      await openLoop(send, options.rate, warmUpSeconds, watch)
    }
    const rounds: Record<Target, Round[]> = { bare: [], api: [] }
    for (let i = 0; i < options.runs; i++) {
      // Alternating which goes first (bare, api, api, bare, …), so a drift in the machine's load
      // over the run falls on both alike.
      const order = i % 2 === 0 ? targetNames : [...targetNames].reverse()
      for (const name of order) {
        process.stderr.write(
          `credit-record: ${name} round ${i + 1}/${options.runs}, ${options.rate} req/s for ${options.seconds} s…\n`,
        )
        rounds[name].push(await openLoop(targets[name], options.rate, options.seconds, watch))
      }
    }
    const bareStats = stats(rounds.bare, options.seconds)
    const apiStats = stats(rounds.api, options.seconds)
    const ratio = {
      p50: round(apiStats.p50Ms / bareStats.p50Ms, 2),
      p99: round(apiStats.p99Ms / bareStats.p99Ms, 2),
      medianOfRoundP99: round(apiStats.medianOfRoundP99Ms / bareStats.medianOfRoundP99Ms, 2),
    }
    const met = ratio.p99 <= 1.5 && apiStats.errors === 0 && bareStats.errors === 0
    // CPU per request of each server and of PostgreSQL, and the lookups a second two idle cores
    // would take at that cost (the server's process and PostgreSQL together).
    const cost = (server: 'apiServer' | 'bareServer', s: typeof apiStats) => {
      const serverMs = round(((s.cpuCores[server] ?? 0) * 1000) / options.rate, 2)
      const postgresMs = round(((s.cpuCores.postgres ?? 0) * 1000) / options.rate, 2)
      return {
        serverCpuMsPerRequest: serverMs,
        postgresCpuMsPerRequest: postgresMs,
        impliedPerSecondOnTwoCores: Math.round(2000 / (serverMs + postgresMs)),
      }
    }
    const costs = { bare: cost('bareServer', bareStats), api: cost('apiServer', apiStats) }
    const result = {
      name: 'credit-record',
      date: new Date().toISOString(),
      machine: machine(),
      source: sourceVersion(),
      setup: {
        enterprises: enterpriseCount,
        inspectionVisits: enterpriseCount * visitsEach,
        complaints: enterpriseCount * casesEach,
        dataSeconds: round(dataSeconds, 1),
        settleSeconds,
        rate: options.rate,
        secondsPerRound: options.seconds,
        rounds: options.runs,
        warmUpSeconds,
        client: 'node:http keep-alive connections, open loop, latency from the due time',
        api: 'createApp(deps) on node:http (bench/api-server.ts), LOG_LEVEL=info, WORKER_ENABLED=false, accept-encoding: gzip',
        bare: 'Hono handler running findEnterprise, gradeOf and loadCreditRecord (bench/bare-record-server.ts)',
      },
      bare: bareStats,
      api: apiStats,
      ratio,
      costs,
      goal: { apiP99WithinTimesBare: 1.5, met },
    }
    const summary =
      `credit-record: /api/enterprises/{uscc}/record p50 ${apiStats.p50Ms} ms, p99 ${apiStats.p99Ms} ms, ` +
      `${apiStats.errors} errors; bare handler p50 ${bareStats.p50Ms} ms, p99 ${bareStats.p99Ms} ms, ` +
      `${bareStats.errors} errors; ratio p50 ×${ratio.p50}, p99 ×${ratio.p99} (median of rounds' p99 ` +
      `×${ratio.medianOfRoundP99}) at ${options.rate} req/s, ${options.runs}×${options.seconds} s, ` +
      `${enterpriseCount} businesses, 1,000,000 rows; CPU a request: route ${costs.api.serverCpuMsPerRequest} ms ` +
      `+ PostgreSQL ${costs.api.postgresCpuMsPerRequest} ms (about ${costs.api.impliedPerSecondOnTwoCores}/s on ` +
      `two idle cores), bare ${costs.bare.serverCpuMsPerRequest} + ${costs.bare.postgresCpuMsPerRequest} ms; ` +
      `goal p99 ≤ 1.5× bare: ${met ? 'met' : 'MISSED'}`
    return { result, summary }
  } finally {
    connections.destroy()
    await api?.stop()
    await bare?.stop()
    await stop()
  }
}
