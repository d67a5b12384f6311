import { Connections } from './http-client.ts'
import { reindexAll } from '../api/search/reindex.ts'
import { publicSearchPlan } from '../api/services/search/public.ts'
import { insertSyntheticEnterprises } from '../scripts/demo/bulk.ts'
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
  percentile,
  round,
  sourceVersion,
  stackEnv,
  type BenchOptions,
  type BenchOutcome,
} from './lib.ts'

const enterpriseCount = 100_000
const warmUpSeconds = 3
/** The header Node's fetch (undici) sends unless told otherwise. */
const undiciAcceptEncoding = 'br, gzip, deflate, zstd'
const targetNames = ['meilisearch', 'meilisearchCompressed', 'api'] as const
type Target = (typeof targetNames)[number]

/**
 * What people type: parts of names (菜场, 加油站, 眼镜), a county, two words, the start of a credit
 * code, typos (加由站, 超世), a county and a sector run together (莲都加油站), brand short names
 * and synonyms (中石化, 菜市场).
 */
export const queries = [
  '菜场',
  '加油站',
  '眼镜',
  '莲都',
  '超市',
  '万象',
  '龙泉 饭店',
  '缙云好溪',
  '紫金菜场',
  '中山街',
  '医院',
  '91331102',
  '923311',
  '加由站',
  '丽阳超世',
  '莲都加油站',
  '中石化',
  '菜市场',
  '龙泉万象超市',
]

/**
 * /api/search (the product's Hono app over HTTP) against Meilisearch's own /multi-search with the
 * same two queries the route makes, over 100,000 businesses, at a fixed request rate.
 */
export async function run(given: BenchOptions): Promise<BenchOutcome> {
  const options = { ...given, rate: given.rate ?? 300, seconds: given.seconds ?? 20 }
  const { stack, stop } = await isolatedStack('search')
  let api: Awaited<ReturnType<typeof startServerChild>> | undefined
  // Idle connections close after 4 s, before the servers' 5 s keep-alive, so a request never
  // goes out on a connection the server is closing.
  const connections = new Connections({ maxSockets: 256, idleMs: 4_000 })
  try {
    const { db, search, logger } = stack.deps
    process.stderr.write(`search: inserting ${enterpriseCount} businesses…\n`)
    await insertSyntheticEnterprises(db, enterpriseCount)
    process.stderr.write('search: npm run reindex (reindexAll)…\n')
    const reindexStarted = performance.now()
    const reindexed = await reindexAll({ db, search, logger })
    const reindexSeconds = (performance.now() - reindexStarted) / 1000
    if (!reindexed.consistent) throw new Error(`reindex inconsistent: ${JSON.stringify(reindexed)}`)

    api = await startServerChild(
      'api-server.ts',
      // No outbox worker: the synthetic rows include lapsed certifications, and the worker's first
      // expiry sweep would reindex tens of thousands of them in the middle of the measurement.
      // Every request comes from 127.0.0.1: the searches per address are counted, as always, under
      // a limit the run never reaches.
      stackEnv(stack, {
        LOG_LEVEL: 'info',
        WORKER_ENABLED: 'false',
        SEARCH_LIMIT_PER_ADDRESS: String(1e9),
      }),
      '/api/search',
    )
    const meiliPort = Number(new URL(stack.meiliUrl).port)
    const queryOf = (i: number) => queries[i % queries.length]!
    // Exactly the final queries /api/search sends (api/services/search/public.ts): after reading
    // county and sector words as filters, and the words as typed when those found no business.
    const finalQueries = new Map<string, string>()
    const fellBack: string[] = []
    for (const q of queries) {
      const plan = publicSearchPlan(search, { q, limit: 10 })
      const { results } = await search.meili.multiSearch({ queries: plan.first })
      const found = (results[0]?.hits.length ?? 0) + (results[2]?.hits.length ?? 0) > 0
      if (plan.asTyped && !found) fellBack.push(q)
      const final = plan.asTyped && !found ? plan.asTyped : plan.first
      finalQueries.set(q, JSON.stringify({ queries: final }))
    }
    const meiliBody = (q: string) => finalQueries.get(q)!
    const meiliRequest = (acceptEncoding?: string) => (i: number) => ({
      method: 'POST',
      path: '/multi-search',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${stack.meiliKey ?? ''}`,
        ...(acceptEncoding ? { 'accept-encoding': acceptEncoding } : {}),
      },
      body: meiliBody(queryOf(i)),
    })
    const targets: Record<Target, Send> = {
      meilisearch: sender(connections, meiliPort, meiliRequest()),
      // What the API's own Meilisearch client (fetch) asks for: a compressed, chunked answer.
      meilisearchCompressed: sender(connections, meiliPort, meiliRequest(undiciAcceptEncoding)),
      api: sender(connections, api.port, (i) => ({
        method: 'GET',
        path: `/api/search?q=${encodeURIComponent(queryOf(i))}`,
        headers: {},
      })),
    }
    const watch = { apiServer: api.pid, meilisearch: stack.embeddedMeili?.pid() }
    process.stderr.write('search: waiting for the machine to settle after the reindex…\n')
    const settleSeconds = await waitUntilQuiet([
      stack.embeddedMeili?.pid(),
      stack.embeddedPostgres?.pid(),
    ])

    for (const [name, send] of Object.entries(targets)) {
      process.stderr.write(`search: warming up ${name}…\n`)
      await openLoop(send, options.rate, warmUpSeconds, watch)
    }
    api.markLog()
    const rounds: Record<Target, Round[]> = { meilisearch: [], meilisearchCompressed: [], api: [] }
    for (let i = 0; i < options.runs; i++) {
      for (const name of targetNames) {
        process.stderr.write(
          `search: ${name} round ${i + 1}/${options.runs}, ${options.rate} req/s for ${options.seconds} s…\n`,
        )
        rounds[name].push(await openLoop(targets[name], options.rate, options.seconds, watch))
      }
    }

    const meili = stats(rounds.meilisearch, options.seconds)
    const compressed = stats(rounds.meilisearchCompressed, options.seconds)
    const apiStats = stats(rounds.api, options.seconds)
    const apiLog = api.log()
    const serverSorted = [...apiLog.serverMs].sort((a, b) => a - b)
    const ratio = {
      p50: round(apiStats.p50Ms / meili.p50Ms, 2),
      p99: round(apiStats.p99Ms / meili.p99Ms, 2),
    }
    const met = apiStats.p99Ms < 50 && apiStats.errors === 0
    // Issue 23, acceptance 7: reading the query must be cheap.
    const ratioMet = ratio.p99 <= 1.3 && apiStats.errors === 0
    const result = {
      name: 'search',
      date: new Date().toISOString(),
      machine: machine(),
      source: sourceVersion(),
      setup: {
        enterprises: enterpriseCount,
        reindexSeconds: round(reindexSeconds, 1),
        settleSeconds,
        rate: options.rate,
        secondsPerRound: options.seconds,
        rounds: options.runs,
        warmUpSeconds,
        queries,
        // Queries whose county and sector words found nothing as filters: /api/search then makes
        // a second round trip with the words as typed; Meilisearch direct sends only that one.
        queriesSearchedAsTyped: fellBack,
        client: 'node:http keep-alive connections, open loop, latency from the due time',
        api: 'createApp(deps) on node:http (bench/api-server.ts), LOG_LEVEL=info, WORKER_ENABLED=false',
        meilisearch:
          'POST /multi-search with the same final queries as /api/search (county and sector words as filters)',
        meilisearchCompressed: `the same with accept-encoding: ${undiciAcceptEncoding} (as fetch asks)`,
      },
      meilisearch: meili,
      meilisearchCompressed: compressed,
      api: {
        ...apiStats,
        // Worst one-second window of the API's event-loop delay during the measured rounds.
        eventLoopDelayMs: {
          worstSecondP99: round(Math.max(...apiLog.loopDelays.map((d) => d[0])), 1),
          max: round(Math.max(...apiLog.loopDelays.map((d) => d[1])), 1),
        },
        serverSideMs: {
          requests: serverSorted.length,
          p50: round(percentile(serverSorted, 0.5), 2),
          p99: round(percentile(serverSorted, 0.99), 2),
          max: round(serverSorted.at(-1) ?? Number.NaN, 2),
        },
      },
      ratio,
      goal: { apiP99MsBelow: 50, met, p99RatioAtMost: 1.3, ratioMet },
    }
    const summary =
      `search: /api/search p50 ${apiStats.p50Ms} ms, p90 ${apiStats.p90Ms} ms, p99 ${apiStats.p99Ms} ms, ` +
      `max ${apiStats.maxMs} ms, ${apiStats.errors} errors; Meilisearch direct p50 ${meili.p50Ms} ms, ` +
      `p99 ${meili.p99Ms} ms, max ${meili.maxMs} ms, ${meili.errors} errors (asked for compression as ` +
      `fetch does: p50 ${compressed.p50Ms} ms, p99 ${compressed.p99Ms} ms); ratio p50 ×${ratio.p50}, ` +
      `p99 ×${ratio.p99} (${options.rate} req/s, ${options.runs}×${options.seconds} s each, ` +
      `${enterpriseCount} businesses); goal p99 < 50 ms: ${met ? 'met' : 'MISSED'}; ` +
      `goal p99 within ×1.3 of Meilisearch direct: ${ratioMet ? 'met' : 'MISSED'}`
    return { result, summary }
  } finally {
    connections.destroy()
    await api?.stop()
    await stop()
  }
}
