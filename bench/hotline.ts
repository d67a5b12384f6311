import { Connections } from './http-client.ts'
import { sql } from 'kysely'
import {
  generateWebhookSecret,
  newWebhookId,
  parseWebhookSecret,
  signWebhook,
} from '../api/hotline/signature.ts'
import { countyCodes } from '../api/domain/counties.ts'
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
import { closedLoop, openLoop, sender, serverSide, startServerChild, stats } from './load.ts'

const closedLoopConnections = 64
const warmUpSeconds = 3
const path = '/api/hotline/12345/events'

const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00')

/**
 * Event `i` of a run: every fourth opens a new ticket (ticket.dispatched, with a caller's name and
 * phone, as the hotline sends them); the others follow up an earlier ticket of the run (urged,
 * supplemented, supervised, revisited). Each has a webhook-id never used before.
 */
function eventBody(run: string, i: number, now: number) {
  const ticket = Math.floor(i / 4)
  const ticketNo = `LSB-${run}-${String(ticket).padStart(7, '0')}`
  const occurredAt = iso(now)
  switch (i % 4) {
    case 0:
      return JSON.stringify({
        type: 'ticket.dispatched',
        occurred_at: occurredAt,
        ticket: {
          ticket_no: ticketNo,
          title: '菜市场缺斤短两',
          content: `基准测试第 ${ticket} 单：在菜场买了一斤排骨，回家复秤只有九两，要求核查摊位电子秤。`,
          appeal_type: ticket % 5 === 0 ? '举报' : '投诉',
          urgency: 'normal',
          contact_name: '基准测试',
          contact_phone: `139${String(ticket % 1e8).padStart(8, '0')}`,
          area_code: countyCodes[ticket % countyCodes.length],
          address: '莲都区基准测试菜场',
          respondent_name: `基准测试菜场 ${ticket % 500} 号摊位`,
          assigned_at: occurredAt,
          deadline: iso(now + 10 * 86_400_000),
          host_dept: '丽水市市场监督管理局',
          assist_depts: [],
          attachments: [],
        },
      })
    case 1:
      return JSON.stringify({
        type: 'ticket.urged',
        occurred_at: occurredAt,
        ticket: { ticket_no: ticketNo },
        detail: { note: '市民来电催问办理进度。' },
      })
    case 2:
      return JSON.stringify({
        type: 'ticket.supplemented',
        occurred_at: occurredAt,
        ticket: { ticket_no: ticketNo },
        detail: { content: '市民补充：摊位在东门入口第三排。', attachments: [] },
      })
    default:
      return JSON.stringify({
        type: 'ticket.supervised',
        occurred_at: occurredAt,
        ticket: { ticket_no: ticketNo },
        detail: { note: '督办：请加快办理。' },
      })
  }
}

/**
 * 12345 inbound events (`POST /api/hotline/12345/events`, the product's Hono app over HTTP, with
 * the inbox worker applying them on its background thread) against a bare handler that only
 * verifies the signature: the most each takes (closed loop), and p50/p99 at a fixed rate.
 */
export async function run(given: BenchOptions): Promise<BenchOutcome> {
  const options = { ...given, rate: given.rate ?? 500, seconds: given.seconds ?? 10 }
  const { stack, stop } = await isolatedStack('hotline')
  const connections = new Connections({ maxSockets: 256, idleMs: 4_000 })
  const children: Awaited<ReturnType<typeof startServerChild>>[] = []
  try {
    const secretText = generateWebhookSecret()
    const secret = parseWebhookSecret(secretText)
    const workerEnabled = process.env.BENCH_WORKER !== 'false'
    const env = stackEnv(stack, {
      LOG_LEVEL: 'info',
      HOTLINE_WEBHOOK_SECRET: secretText,
      WORKER_ENABLED: String(workerEnabled),
    })
    // The baseline's table (bench/bare-inbox-server.ts): the event sealed under its id, nothing else.
    await sql`
      CREATE TABLE bench_bare_inbox (
        webhook_id text PRIMARY KEY,
        pii_key_id text NOT NULL,
        body_sealed bytea NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      )
    `.execute(stack.deps.db)
    const api = await startServerChild('api-server.ts', env, path)
    children.push(api)
    const bare = await startServerChild('bare-inbox-server.ts', env, '/bare')
    children.push(bare)

    const run = Date.now().toString(36)
    // Each target numbers its own events, so every follow-up the API gets is of a ticket whose
    // dispatch it got too (with one count, some went to the bare handler and stayed held).
    const post = (port: number, target: string) => {
      let serial = 0
      return sender(connections, port, () => {
        const i = serial++
        const now = Date.now()
        const body = eventBody(run, i, now)
        return {
          method: 'POST',
          path: target,
          headers: {
            'content-type': 'application/json',
            ...signWebhook(secret, newWebhookId(), now / 1000, body),
          },
          body,
        }
      })
    }
    const targets = { api: post(api.port, path), bare: post(bare.port, '/bare') }
    const watch = {
      api: api.pid,
      bare: bare.pid,
      postgres: stack.embeddedPostgres?.pid(),
      meilisearch: stack.embeddedMeili?.pid(),
    }
    // What each target's events cost: its server, PostgreSQL (every backend, the WAL writer and
    // checkpointer included) and, for the product, Meilisearch indexing the cases they made.
    const costWatch = {
      api: { server: api.pid, postgres: watch.postgres, meilisearch: watch.meilisearch },
      bare: { server: bare.pid, postgres: watch.postgres },
    }
    const cost: Record<'api' | 'bare', { mostItTakes: Cost[]; fixedRate: Cost[] }> = {
      api: { mostItTakes: [], fixedRate: [] },
      bare: { mostItTakes: [], fixedRate: [] },
    }

    for (const [name, send] of Object.entries(targets)) {
      process.stderr.write(`hotline: warming up ${name}…\n`)
      await closedLoop(send, warmUpSeconds, 16, 0)
    }
    api.markLog()
    bare.markLog()

    const inboxCounts = async () => {
      const { rows } = await sql<{ state: string; n: string }>`
        SELECT state, count(*) AS n FROM hotline_inbox GROUP BY state
      `.execute(stack.deps.db)
      return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)])) as Record<string, number>
    }
    const index = stack.deps.search.meili.index(stack.deps.search.indexName('complaints'))
    const quiet = async () => {
      const counts = await inboxCounts()
      if ((counts.pending ?? 0) > 0) return { counts, quiet: false }
      const { rows } = await sql<{ outbox: string; cases: string }>`
        SELECT (SELECT count(*) FROM outbox) AS outbox, (SELECT count(*) FROM complaints) AS cases
      `.execute(stack.deps.db)
      const stats = await index.getStats()
      return {
        counts,
        quiet:
          Number(rows[0]!.outbox) === 0 &&
          !stats.isIndexing &&
          stats.numberOfDocuments >= Number(rows[0]!.cases),
      }
    }
    /**
     * Waits until the worker has applied (or held) every stored event and the private index holds
     * every case they made (at most `limitMs`), then two seconds more: each measured phase starts
     * from a quiet machine, not from the previous phase's backlog.
     */
    const settle = async (limitMs: number) => {
      // With the worker off (BENCH_WORKER=false, to measure intake alone) nothing drains.
      if (!workerEnabled) limitMs = 0
      const started = performance.now()
      let state = await quiet()
      while (performance.now() - started < limitMs && !state.quiet) {
        await new Promise((r) => setTimeout(r, 250))
        state = await quiet()
      }
      const seconds = round((performance.now() - started) / 1000, 1)
      await new Promise((r) => setTimeout(r, 2_000))
      return { counts: state.counts, seconds }
    }

    const throughput: Record<'api' | 'bare', number[]> = { api: [], bare: [] }
    const throughputErrors: Record<'api' | 'bare', number> = { api: 0, bare: 0 }
    const rounds: Record<'api' | 'bare', Awaited<ReturnType<typeof openLoop>>[]> = {
      api: [],
      bare: [],
    }
    await settle(180_000)
    for (let i = 0; i < options.runs; i++) {
      // Alternate which goes first, so neither always follows the other's backlog.
      const order = i % 2 === 0 ? (['bare', 'api'] as const) : (['api', 'bare'] as const)
      for (const name of order) {
        process.stderr.write(
          `hotline: ${name} round ${i + 1}/${options.runs}: most it takes (${closedLoopConnections} connections, ${options.seconds} s)…\n`,
        )
        // Each phase's cost runs until the worker has applied its events and the index holds
        // their cases: applying an event is part of what it costs the product.
        let before = await readCost(stack.deps.db, costWatch[name])
        const most = await closedLoop(targets[name], options.seconds, closedLoopConnections, 0)
        throughput[name].push(most.perSecond)
        throughputErrors[name] += most.errors
        await settle(180_000)
        let after = await readCost(stack.deps.db, costWatch[name])
        cost[name].mostItTakes.push(
          costBetween(before, after, Math.round(most.perSecond * options.seconds)),
        )
        process.stderr.write(
          `hotline: ${name} round ${i + 1}/${options.runs}: ${options.rate} events/s for ${options.seconds} s…\n`,
        )
        before = after
        const fixed = await openLoop(targets[name], options.rate, options.seconds, watch)
        rounds[name].push(fixed)
        await settle(180_000)
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
    process.stderr.write('hotline: waiting for the worker to apply every event…\n')
    const caughtUp = await settle(300_000)
    const goals = {
      throughputRatioAtLeast: 0.7,
      apiP99MsBelow: 100,
      throughputMet: throughputRatio >= 0.7,
      latencyMet: apiStats.p99Ms < 100 && apiStats.errors === 0,
    }
    if ((caughtUp.counts.pending ?? 0) > 0 && workerEnabled) {
      throw new Error(`${caughtUp.counts.pending} events still pending 5 min after the load`)
    }
    const result = {
      name: 'hotline',
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
          'node:http keep-alive connections; each event signed when sent, with a new webhook-id; closed loop for throughput, open loop (latency from the due time) for p50/p99',
        events:
          'one in four a new ticket.dispatched carrying a name and phone (sealed in the inbox), the others urged/supplemented/supervised follow-ups of the run’s tickets',
        api: `POST ${path}, createApp(deps) on node:http (bench/api-server.ts), LOG_LEVEL=info, ${
          workerEnabled
            ? 'inbox worker and outbox worker on the background thread (as npm start runs them) turning events into cases and indexing them'
            : 'workers off (BENCH_WORKER=false): receiving and storing only'
        }`,
        workerEnabled,
        settle:
          'before each measured phase: wait until every stored event is applied and the private index holds every case, then 2 s',
        bare: 'the least correct receiver (bench/bare-inbox-server.ts): the raw body read, its Standard Webhooks signature verified with the same code, the body sealed and stored with one durable INSERT keyed by webhook-id (synchronous_commit on as the product), into a table with only that key; same PostgreSQL and pool size',
        cost: 'CPU (server process with its threads, every PostgreSQL process, Meilisearch for the product) and WAL from the start of a phase until every event is applied and every case indexed, per event answered; the median over rounds',
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
      bare: { ...bareStats, serverSideMs: serverSide(bare.log().serverMs) },
      // Rows and index bytes of every table written in the run, product and baseline alike.
      writes: await writeProfile(stack.deps.db),
      inbox: caughtUp.counts,
      applyCatchUpSeconds: caughtUp.seconds,
      goals,
    }
    const summary =
      `hotline: most it takes ${round(maxApi)}/s vs least-correct baseline ${round(maxBare)}/s, ratio ×${throughputRatio} ` +
      `(median of the rounds' ${roundRatios.join(', ')}; of the medians ×${ratioOfMedians}; goal ≥ 0.7: ${goals.throughputMet ? 'met' : 'MISSED'}); ` +
      `per event at the most: ${describeCost(costs.api.mostItTakes)} vs baseline ${describeCost(costs.bare.mostItTakes)}; ` +
      `at ${options.rate} events/s: ${describeCost(costs.api.fixedRate)} vs ${describeCost(costs.bare.fixedRate)}; at ${options.rate} events/s p50 ${apiStats.p50Ms} ms, ` +
      `p99 ${apiStats.p99Ms} ms, ${apiStats.errors} errors (bare: p50 ${bareStats.p50Ms} ms, p99 ${bareStats.p99Ms} ms) ` +
      `(goal p99 < 100 ms: ${goals.latencyMet ? 'met' : 'MISSED'}); ${options.runs}×${options.seconds} s each; ` +
      `inbox after the load ${JSON.stringify(caughtUp.counts)}, every event applied and indexed ${caughtUp.seconds} s after it`
    return { result, summary }
  } finally {
    connections.destroy()
    for (const child of children) await child.stop()
    await stop()
  }
}
