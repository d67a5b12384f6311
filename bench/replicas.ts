import { Connections } from './http-client.ts'
import { reindexAll } from '../api/search/reindex.ts'
import { insertSyntheticEnterprises } from '../scripts/demo/bulk.ts'
import { startRoundRobinProxy } from '../test/support/round-robin-proxy.ts'
import { complaintBody, forwardedFor } from './intake.ts'
import { isolatedStack, machine, median, round, sourceVersion, stackEnv } from './lib.ts'
import type { BenchOptions, BenchOutcome } from './lib.ts'
import { openLoop, sender, startServerChild, stats, waitUntilQuiet, type Round } from './load.ts'
import { queries } from './search.ts'

const modes = ['single', 'three'] as const
type Mode = (typeof modes)[number]
const loads = ['intake', 'search'] as const
type Load = (typeof loads)[number]
const enterpriseCount = 20_000
const warmUpSeconds = 3

/**
 * Issue 26, acceptance 3: what replication costs. Complaint intake and public search at fixed
 * rates through a round-robin balancer (test/support/round-robin-proxy.ts) in front of one API
 * process, and in front of three, on one PostgreSQL and one Meilisearch, in alternating rounds of
 * one run. Each API process runs its outbox worker, as every replica does by default. The
 * machine has two cores shared with the load generator and the balancer: three replicas add no
 * capacity here; the point is that sharing sessions, limits and queues through PostgreSQL costs
 * little. Passes when the p99 of all rounds' requests with three is within 1.2× that with one.
 */
export async function run(given: BenchOptions): Promise<BenchOutcome> {
  const options = {
    runs: given.runs,
    seconds: given.seconds ?? 15,
    rate: { intake: given.rate ?? 150, search: given.rate ?? 150 } as Record<Load, number>,
  }
  const { stack, stop } = await isolatedStack('replicas')
  const connections = new Connections({ maxSockets: 256, idleMs: 4_000 })
  const apis: Awaited<ReturnType<typeof startServerChild>>[] = []
  const proxies: Awaited<ReturnType<typeof startRoundRobinProxy>>[] = []
  try {
    const { db, search, logger } = stack.deps
    process.stderr.write(`replicas: inserting ${enterpriseCount} businesses and indexing them…\n`)
    await insertSyntheticEnterprises(db, enterpriseCount)
    const reindexed = await reindexAll({ db, search, logger })
    if (!reindexed.consistent) throw new Error(`reindex inconsistent: ${JSON.stringify(reindexed)}`)

    // One set of secrets for all three, as replicas must share them.
    const env = stackEnv(stack, { LOG_LEVEL: 'warn', TRUST_PROXY: 'true', WORKER_ENABLED: 'true' })
    for (let i = 0; i < 3; i++) {
      apis.push(await startServerChild('api-server.ts', env, '/api/complaints'))
    }
    const upstream = (i: number) => `http://127.0.0.1:${apis[i]!.port}`
    const proxy: Record<Mode, Awaited<ReturnType<typeof startRoundRobinProxy>>> = {
      single: await startRoundRobinProxy([upstream(0)]),
      three: await startRoundRobinProxy([upstream(0), upstream(1), upstream(2)]),
    }
    proxies.push(proxy.single, proxy.three)

    let serial = 0
    const sendOf = (mode: Mode, load: Load) => {
      const port = Number(new URL(proxy[mode].url).port)
      return load === 'intake'
        ? sender(connections, port, () => {
            const n = serial++
            return {
              method: 'POST',
              path: '/api/complaints',
              headers: { 'content-type': 'application/json', 'x-test-client': forwardedFor(n) },
              body: complaintBody(n),
            }
          })
        : sender(connections, port, (i) => ({
            method: 'GET',
            path: `/api/search?q=${encodeURIComponent(queries[i % queries.length]!)}`,
            // One address per request: the per-address limit is counted, never reached.
            headers: { 'x-test-client': forwardedFor(1_000_000 + (serial++ % 50_000)) },
          }))
    }
    const watch = {
      api0: apis[0]!.pid,
      api1: apis[1]!.pid,
      api2: apis[2]!.pid,
      postgres: stack.embeddedPostgres?.pid(),
      meilisearch: stack.embeddedMeili?.pid(),
    }
    const rounds: Record<Load, Record<Mode, Round[]>> = {
      intake: { single: [], three: [] },
      search: { single: [], three: [] },
    }
    for (let i = 0; i < options.runs; i++) {
      const order: readonly Mode[] = i % 2 === 0 ? modes : [...modes].reverse()
      for (const load of loads) {
        for (const mode of order) {
          process.stderr.write(`replicas: round ${i + 1}/${options.runs}, ${load}, ${mode}…\n`)
          const send = sendOf(mode, load)
          await openLoop(send, options.rate[load], warmUpSeconds, {})
          await waitUntilQuiet(Object.values(watch), 60)
          rounds[load][mode].push(await openLoop(send, options.rate[load], options.seconds, watch))
        }
      }
    }

    const summary = (load: Load) => {
      const single = stats(rounds[load].single, options.seconds)
      const three = stats(rounds[load].three, options.seconds)
      return {
        ratePerSecond: options.rate[load],
        single,
        three,
        // The p99 of every round's requests together: a round's own p99 (its worst 1 %, a few
        // dozen requests) moves with one collector pause or another process's burst on the two
        // cores, so medians of them were seen to swing 2× between runs of the same code.
        p99Ratio: round(three.p99Ms / single.p99Ms, 2),
        medianOfRoundP99Ratio: round(three.medianOfRoundP99Ms / single.medianOfRoundP99Ms, 2),
        medianP50Ratio: round(
          median(rounds[load].three.map((r) => median(r.latencies))) /
            median(rounds[load].single.map((r) => median(r.latencies))),
          2,
        ),
      }
    }
    const intake = summary('intake')
    const searchLoad = summary('search')
    const pass = intake.p99Ratio <= 1.2 && searchLoad.p99Ratio <= 1.2
    return {
      result: {
        bench: 'replicas',
        date: new Date().toISOString(),
        source: sourceVersion(),
        machine: machine(),
        runs: options.runs,
        secondsPerRound: options.seconds,
        enterprises: enterpriseCount,
        intake,
        search: searchLoad,
        target: 'p99 with three replicas ≤ 1.2 × with one, both behind the same balancer',
        pass,
      },
      summary:
        `replicas: intake p99 ${intake.three.p99Ms} ms with three vs ` +
        `${intake.single.p99Ms} ms with one (×${intake.p99Ratio}); search p99 ` +
        `${searchLoad.three.p99Ms} vs ${searchLoad.single.p99Ms} ms ` +
        `(×${searchLoad.p99Ratio}) at ${options.rate.intake}/s and ${options.rate.search}/s; ` +
        (pass ? 'within 1.2×' : 'NOT within 1.2×'),
    }
  } finally {
    connections.destroy()
    for (const p of proxies) await p.stop()
    for (const a of apis) await a.stop()
    await stop()
  }
}
