import { Connections } from './http-client.ts'
import { sql } from 'kysely'
import {
  costBetween,
  describeCost,
  medianCost,
  readCost,
  synchronousCommit,
  writeProfile,
  type Cost,
} from './cost.ts'
import { isolatedStack, machine, median, round, sourceVersion, stackEnv } from './lib.ts'
import type { BenchOptions, BenchOutcome } from './lib.ts'
import {
  closedLoop,
  openLoop,
  sender,
  serverSide,
  startServerChild,
  stats,
  type Round,
} from './load.ts'

export const benchCounties = [
  '331102',
  '331121',
  '331122',
  '331123',
  '331124',
  '331125',
  '331126',
  '331127',
]
const closedLoopConnections = 64
const warmUpSeconds = 3

/**
 * Complaint `i`: a different phone and client address each time, as a city's residents would be,
 * so the abuse limits (kept on, at their defaults) count but do not refuse.
 */
export function complaintBody(i: number) {
  return JSON.stringify({
    kind: i % 3 === 0 ? 'report' : 'complaint',
    category: 'short_weight',
    county: benchCounties[i % benchCounties.length],
    merchantName: `基准测试菜场 ${i % 500} 号摊位`,
    address: '莲都区基准测试菜场',
    occurredAt: '2026-11-26T08:30',
    description: `基准测试第 ${i} 份：买了一斤排骨，复秤只有九两。`,
    name: '基准测试',
    phone: `139${String(i % 1e8).padStart(8, '0')}`,
    consent: true,
    claimedQuantity: 1,
    measuredQuantity: 0.9,
    unit: 'jin',
    unitPrice: 32,
  })
}

export const forwardedFor = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`

/**
 * Complaint intake (`POST /api/complaints`, the product's Hono app over HTTP) against a bare Hono
 * handler doing one INSERT into the same PostgreSQL: the most it can take (closed loop), and
 * p50/p99 at a fixed rate (open loop).
 */
export async function run(given: BenchOptions): Promise<BenchOutcome> {
  const options = { ...given, rate: given.rate ?? 1000, seconds: given.seconds ?? 20 }
  const { stack, stop } = await isolatedStack('intake')
  // Idle connections close after 4 s, before the servers' 5 s keep-alive, so a request never
  // goes out on a connection the server is closing.
  const connections = new Connections({ maxSockets: 256, idleMs: 4_000 })
  const children: Awaited<ReturnType<typeof startServerChild>>[] = []
  try {
    // The baseline's tables (bench/bare-insert-server.ts): only the keys a correct intake needs.
    await sql`
      CREATE SEQUENCE bench_bare_complaint_ids;
      CREATE TABLE bench_bare_complaints (
        id bigint PRIMARY KEY,
        tracking_no text NOT NULL UNIQUE,
        query_code_hash bytea NOT NULL,
        fields jsonb NOT NULL,
        pii_key_id text NOT NULL,
        name_sealed bytea,
        phone_sealed bytea,
        received_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE bench_bare_outbox (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        aggregate_key text NOT NULL,
        payload jsonb NOT NULL
      );
      CREATE TABLE bench_bare_idempotency (
        key text PRIMARY KEY,
        complaint_id bigint NOT NULL,
        pii_key_id text NOT NULL,
        response_sealed bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
    `.execute(stack.deps.db)
    // BENCH_WORKER=false leaves the outbox (and so the private index) alone: intake on its own.
    const workerEnabled = process.env.BENCH_WORKER !== 'false'
    const env = stackEnv(stack, {
      LOG_LEVEL: 'info',
      TRUST_PROXY: 'true',
      WORKER_ENABLED: String(workerEnabled),
    })
    const api = await startServerChild('api-server.ts', env, '/api/complaints')
    children.push(api)
    const bare = await startServerChild('bare-insert-server.ts', env, '/bare')
    children.push(bare)

    // Every request carries a number never used before in this run, so no body repeats.
    let serial = 0
    const post = (port: number, path: string) =>
      sender(connections, port, () => {
        const i = serial++
        return {
          method: 'POST',
          path,
          headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor(i) },
          body: complaintBody(i),
        }
      })
    const targets = { api: post(api.port, '/api/complaints'), bare: post(bare.port, '/bare') }
    const watch = {
      api: api.pid,
      bare: bare.pid,
      postgres: stack.embeddedPostgres?.pid(),
      meilisearch: stack.embeddedMeili?.pid(),
    }

    for (const [name, send] of Object.entries(targets)) {
      process.stderr.write(`intake: warming up ${name}…\n`)
      await closedLoop(send, warmUpSeconds, 16, 0)
    }
    api.markLog()
    bare.markLog()

    const index = stack.deps.search.meili.index(stack.deps.search.indexName('complaints'))
    const countStored = async () => {
      const row = await stack.deps.db
        .selectFrom('complaints')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
      return Number(row.n)
    }
    /**
     * Waits until the private index holds every complaint filed so far (at most `limitMs`), then
     * two seconds more: each round starts from a quiet machine, not from the previous round's
     * indexing backlog. Returns how long the catch-up took and how many were indexed.
     */
    const settle = async (limitMs: number) => {
      const started = performance.now()
      const stored = await countStored()
      let indexed = 0
      while (workerEnabled && performance.now() - started < limitMs) {
        indexed = (await index.getStats()).numberOfDocuments
        if (indexed >= stored) break
        await new Promise((r) => setTimeout(r, 250))
      }
      const seconds = round((performance.now() - started) / 1000, 1)
      await new Promise((r) => setTimeout(r, 2_000))
      return { stored, indexed, seconds }
    }

    /**
     * How long Meilisearch spent on indexing batches that started between `from` and `to` (epoch
     * ms), and that time as a share of the span: while it indexes, intake shares the CPU with it.
     */
    const indexingBetween = async (from: number, to: number) => {
      const res = await fetch(`${stack.meiliUrl}/batches?limit=1000`, {
        headers: stack.meiliKey ? { authorization: `Bearer ${stack.meiliKey}` } : {},
      })
      const { results } = (await res.json()) as {
        results: { startedAt: string; finishedAt: string | null }[]
      }
      const spans = results
        .filter((b) => b.finishedAt !== null)
        .map((b) => [Date.parse(b.startedAt), Date.parse(b.finishedAt!)] as const)
        .filter(([start]) => start >= from && start <= to)
      const busyMs = spans.reduce((sum, [start, end]) => sum + (end - start), 0)
      return {
        batches: spans.length,
        busyMs: Math.round(busyMs),
        busyShare: round(busyMs / (to - from), 2),
      }
    }
    const indexing: Awaited<ReturnType<typeof indexingBetween>>[] = []

    // What each target's operations cost: its server, PostgreSQL (every backend, the WAL writer and
    // checkpointer included) and, for the product, Meilisearch indexing what it filed.
    const costWatch = {
      api: { server: api.pid, postgres: watch.postgres, meilisearch: watch.meilisearch },
      bare: { server: bare.pid, postgres: watch.postgres },
    }
    const cost: Record<'api' | 'bare', { mostItTakes: Cost[]; fixedRate: Cost[] }> = {
      api: { mostItTakes: [], fixedRate: [] },
      bare: { mostItTakes: [], fixedRate: [] },
    }
    const throughput: Record<'api' | 'bare', number[]> = { api: [], bare: [] }
    const throughputErrors: Record<'api' | 'bare', number> = { api: 0, bare: 0 }
    const rounds: Record<'api' | 'bare', Round[]> = { api: [], bare: [] }
    await settle(60_000)
    for (let i = 0; i < options.runs; i++) {
      // Alternate which goes first, so neither always follows the other's backlog.
      const order = i % 2 === 0 ? (['bare', 'api'] as const) : (['api', 'bare'] as const)
      for (const name of order) {
        process.stderr.write(
          `intake: ${name} round ${i + 1}/${options.runs}: most it takes (${closedLoopConnections} connections, ${options.seconds} s)…\n`,
        )
        // Each phase's cost runs until the private index has caught up with it: indexing what
        // was filed is part of what a complaint costs the product.
        let before = await readCost(stack.deps.db, costWatch[name])
        const most = await closedLoop(targets[name], options.seconds, closedLoopConnections, 0)
        throughput[name].push(most.perSecond)
        throughputErrors[name] += most.errors
        await settle(60_000)
        let after = await readCost(stack.deps.db, costWatch[name])
        cost[name].mostItTakes.push(
          costBetween(before, after, Math.round(most.perSecond * options.seconds)),
        )
        process.stderr.write(
          `intake: ${name} round ${i + 1}/${options.runs}: ${options.rate} req/s for ${options.seconds} s…\n`,
        )
        before = after
        const from = Date.now()
        const fixed = await openLoop(targets[name], options.rate, options.seconds, watch)
        rounds[name].push(fixed)
        if (name === 'api' && workerEnabled) indexing.push(await indexingBetween(from, Date.now()))
        await settle(60_000)
        after = await readCost(stack.deps.db, costWatch[name])
        cost[name].fixedRate.push(costBetween(before, after, fixed.latencies.length))
      }
    }

    const apiStats = stats(rounds.api, options.seconds)
    const bareStats = stats(rounds.bare, options.seconds)
    const maxApi = median(throughput.api)
    const maxBare = median(throughput.bare)
    // The ratio is taken within each round, whose two halves ran back to back in the same
    // weather on a shared machine, and the median of the rounds' ratios is the figure; the ratio of
    // the two medians is kept beside it.
    const roundRatios = throughput.api.map((v, i) => round(v / throughput.bare[i]!, 2))
    const throughputRatio = round(median(roundRatios), 2)
    const ratioOfMedians = round(maxApi / maxBare, 2)
    const costs = {
      api: {
        mostItTakes: medianCost(cost.api.mostItTakes),
        fixedRate: medianCost(cost.api.fixedRate),
      },
      bare: {
        mostItTakes: medianCost(cost.bare.mostItTakes),
        fixedRate: medianCost(cost.bare.fixedRate),
      },
    }
    // The private index is fed by the outbox worker on the API's background thread: it must
    // hold every complaint once the load is over.
    process.stderr.write('intake: waiting for the private index to catch up…\n')
    const caughtUp = await settle(180_000)
    const goals = {
      throughputRatioAtLeast: 0.7,
      apiP99MsBelow: 50,
      throughputMet: throughputRatio >= 0.7,
      latencyMet: apiStats.p99Ms < 50 && apiStats.errors === 0,
    }
    if (workerEnabled && caughtUp.indexed < caughtUp.stored) {
      throw new Error(
        `the private index holds ${caughtUp.indexed} of ${caughtUp.stored} complaints 3 min after the load`,
      )
    }
    const result = {
      name: 'intake',
      date: new Date().toISOString(),
      machine: machine(),
      source: sourceVersion(),
      setup: {
        synchronousCommit: await synchronousCommit(stack.deps.db),
        rate: options.rate,
        secondsPerRound: options.seconds,
        rounds: options.runs,
        closedLoopConnections,
        client:
          'node:http keep-alive connections; closed loop for throughput, open loop (latency from the due time) for p50/p99',
        api: `POST /api/complaints, JSON, createApp(deps) on node:http (bench/api-server.ts), LOG_LEVEL=info, abuse limits on (TRUST_PROXY, one address and phone per request), ${workerEnabled ? 'outbox worker on its background thread (as npm start runs it) indexing every complaint' : 'no outbox worker (BENCH_WORKER=false): nothing indexed'}`,
        settle:
          'before each measured phase: wait until the private index holds every complaint filed so far, then 2 s',
        bare: 'the least correct intake (bench/bare-insert-server.ts): JSON parsed, required fields present, name, phone and receipt sealed, then the idempotency row, the complaint row and its outbox row in one statement (one durable commit, synchronous_commit on as the product), into tables with only their keys; same PostgreSQL and pool size',
        cost: 'CPU (server process with its threads, every PostgreSQL process, Meilisearch for the product) and WAL from the start of a phase until the private index has caught up with it, per operation answered; the median over rounds',
      },
      throughput: {
        apiPerSecond: round(maxApi),
        barePerSecond: round(maxBare),
        ratio: throughputRatio,
        roundRatios,
        ratioOfMedians,
        perRound: {
          api: throughput.api.map((v) => round(v)),
          bare: throughput.bare.map((v) => round(v)),
        },
        errors: throughputErrors,
      },
      cost: { ...costs, perRound: cost },
      api: { ...apiStats, serverSideMs: serverSide(api.log().serverMs) },
      // Meilisearch's indexing batches during each of the API's fixed-rate rounds.
      indexingDuringRounds: indexing,
      bare: { ...bareStats, serverSideMs: serverSide(bare.log().serverMs) },
      // Rows and index bytes of every table written in the run, product and baseline alike.
      writes: await writeProfile(stack.deps.db),
      complaintsStored: caughtUp.stored,
      complaintsIndexed: caughtUp.indexed,
      indexCatchUpSeconds: caughtUp.seconds,
      goals,
    }
    const summary =
      `intake: most it takes ${round(maxApi)}/s vs least-correct baseline ${round(maxBare)}/s, ratio ×${throughputRatio} ` +
      `(median of the rounds' ${roundRatios.join(', ')}; of the medians ×${ratioOfMedians}; goal ≥ 0.7: ${goals.throughputMet ? 'met' : 'MISSED'}); ` +
      `per complaint at the most: ${describeCost(costs.api.mostItTakes)} vs baseline ${describeCost(costs.bare.mostItTakes)}; ` +
      `at ${options.rate} req/s: ${describeCost(costs.api.fixedRate)} vs ${describeCost(costs.bare.fixedRate)}; at ${options.rate} req/s p50 ${apiStats.p50Ms} ms, ` +
      `p99 ${apiStats.p99Ms} ms, ${apiStats.errors} errors (bare: p50 ${bareStats.p50Ms} ms, p99 ${bareStats.p99Ms} ms) ` +
      `(goal p99 < 50 ms: ${goals.latencyMet ? 'met' : 'MISSED'}); ${options.runs}×${options.seconds} s each; ` +
      (workerEnabled
        ? `Meilisearch indexing ${Math.round(median(indexing.map((r) => r.busyShare)) * 100)}% of each round; ` +
          `all ${caughtUp.stored} complaints in the private index ${caughtUp.seconds} s after the load`
        : 'nothing indexed (BENCH_WORKER=false)')
    return { result, summary }
  } finally {
    connections.destroy()
    for (const child of children) await child.stop()
    await stop()
  }
}
