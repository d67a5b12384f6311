import { Connections } from './http-client.ts'
import { randomBytes } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import { parseHashKey, parsePiiKeys } from '../api/privacy/pii.ts'
import { reindexAll } from '../api/search/reindex.ts'
import { sessionCookieName, startSession } from '../api/services/admin/sessions.ts'
import { queueSearchParams } from '../api/services/admin/cases/list.ts'
import type { Database } from '../db/database.ts'
import type { Stack } from '../scripts/stack/index.ts'
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
import {
  openLoop,
  sender,
  startServerChild,
  stats,
  waitUntilQuiet,
  type Round,
  type Send,
} from './load.ts'
import { insertSyntheticComplaints } from './queue-search-data.ts'

const warmUpSeconds = 3
/** The county of the signed-in handler (莲都区, the busiest). */
const county = '331102'
const pageSize = 20
const routePath = '/api/admin/cases'
const targetNames = ['meilisearch', 'api'] as const
type Target = (typeof targetNames)[number]

/**
 * What a handler types into the queue's search box: the words of a complaint (缺斤短两, 加油,
 * 电子秤), part of a merchant's name, a street, a word that matches thousands (农贸市场), two
 * words (眼镜 头晕), a typo that finds nothing (家油站), and the day part of a tracking number. A
 * whole tracking number is left out: the queue looks that up in PostgreSQL, not in the index, so
 * Meilisearch alone would not be the same work.
 */
function queriesFor(newestTrackingNo: string | undefined) {
  const recentDay = newestTrackingNo?.slice(0, 10)
  return [
    '缺斤短两',
    '加油',
    '万象',
    '农贸市场',
    '电子秤',
    '出租车 计价器',
    '水表',
    '好溪超市',
    '排骨',
    '中国石化',
    '眼镜 头晕',
    '解放街',
    '家油站',
    ...(recentDay ? [recentDay] : []),
  ]
}

/**
 * What the queue asks Meilisearch for page 1 of `q`, from the queue's own parameters
 * (queueSearchParams): the handler's county as the filter, sorted by due date, every word
 * matching, ids only.
 */
function directSearchBody(q: string) {
  return { q, ...queueSearchParams({ county }, 1, pageSize) }
}

/** A county handler with a signed-in session, made the way test/support/operators.ts does. */
async function signedInHandler(db: Kysely<Database>) {
  const row = await db
    .insertInto('operators')
    .values({
      username: 'bench.handler',
      role: 'county_handler',
      countyCode: county,
      // No password matches this hash: the benchmark signs in by making the session itself.
      passwordHash: `$argon2id$v=19$m=19456,t=2,p=1$${randomBytes(16).toString('base64')}$unusable`,
      mustChangePassword: false,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  const { token } = await startSession(db, {
    operatorId: row.id,
    stage: 'active',
    clientAddress: '127.0.0.1',
    userAgent: 'bench/queue-search',
  })
  return `${sessionCookieName}=${token}`
}

interface QueueItem {
  /** A string by the contract; compared as text in case it arrives as a number. */
  id: string | number
  countyCode: string
}

/**
 * Asks both sides every query once and compares the answers, so the two measure the same work:
 * a refusal or a case from another county stops the benchmark; a different first page or total is
 * recorded and named in the summary line (the latencies would then compare different searches).
 */
async function compareAnswers(
  queries: readonly string[],
  api: { port: number; cookie: string },
  meili: { url: string; key: string; uid: string },
) {
  const answers = []
  for (const q of queries) {
    const fromApi = await fetch(
      `http://127.0.0.1:${api.port}${routePath}?q=${encodeURIComponent(q)}&page=1`,
      { headers: { cookie: api.cookie } },
    )
    if (fromApi.status !== 200) {
      throw new Error(
        `GET ${routePath}?q=… answered ${fromApi.status} (${(await fromApi.text()).slice(0, 200)}): ` +
          'the queue route of issue 4 must exist and serve a signed-in county handler',
      )
    }
    const page = (await fromApi.json()) as { items: QueueItem[]; total: number }
    const foreign = page.items.filter((item) => item.countyCode !== county)
    if (foreign.length > 0) {
      throw new Error(`the queue showed a ${county} handler cases of ${foreign[0]!.countyCode}`)
    }
    const fromMeili = await fetch(`${meili.url}/indexes/${meili.uid}/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${meili.key}` },
      body: JSON.stringify(directSearchBody(q)),
    })
    if (!fromMeili.ok) throw new Error(`Meilisearch answered ${fromMeili.status}`)
    const direct = (await fromMeili.json()) as { hits: { id: string }[]; totalHits: number }
    const samePage =
      page.items.map((i) => String(i.id)).join() === direct.hits.map((h) => h.id).join()
    answers.push({
      q,
      apiTotal: page.total,
      meilisearchTotal: direct.totalHits,
      same: samePage && page.total === direct.totalHits,
    })
  }
  return answers
}

const progress = (label: string, done: number, total: number) =>
  process.stderr.write(`queue-search: ${label} ${done}/${total}\n`)

/** Reports `done` of `total` at every fifth of the way and at the end. */
function everyFifth(label: string) {
  let shown = 0
  return (done: number, total: number) => {
    if (done >= shown + total / 5 || done === total) {
      shown = done
      progress(label, done, total)
    }
  }
}

/**
 * The complaints in PostgreSQL, sealed with the server's own keys (it could open them), then in
 * the private index the way `npm run reindex` puts them there.
 */
async function fillAndIndex(stack: Stack, env: ReturnType<typeof stackEnv>, count: number) {
  const { db, search, logger } = stack.deps
  process.stderr.write(`queue-search: inserting ${count} complaints…\n`)
  const insertStarted = performance.now()
  const inserted = everyFifth('complaints inserted')
  const data = await insertSyntheticComplaints(db, {
    count,
    ring: parsePiiKeys(env.PII_KEYS),
    hashKey: parseHashKey(env.PII_HASH_KEY),
    sampleCounty: county,
    onProgress: (done) => inserted(done, count),
  })
  const insertSeconds = round((performance.now() - insertStarted) / 1000, 1)
  // As autovacuum would soon: statistics for the planner, and no vacuum in a measured round.
  const vacuumStarted = performance.now()
  await sql`VACUUM (ANALYZE) complaints`.execute(db)
  const vacuumSeconds = round((performance.now() - vacuumStarted) / 1000, 1)

  process.stderr.write('queue-search: npm run reindex (reindexAll, complaints)…\n')
  const reindexStarted = performance.now()
  const sent = everyFifth('complaints sent to the index')
  const reindexed = await reindexAll({
    db,
    search,
    logger,
    kinds: ['complaints'],
    onProgress: ({ done, total }) => sent(done, total),
  })
  if (!reindexed.consistent) throw new Error(`reindex inconsistent: ${JSON.stringify(reindexed)}`)
  const reindexSeconds = round((performance.now() - reindexStarted) / 1000, 1)
  return { data, seconds: { insertSeconds, vacuumSeconds, reindexSeconds } }
}

/**
 * The queue's full-text search (GET /api/admin/cases?q=…, the product's Hono app over HTTP, as a
 * signed-in county handler whose county the server adds) against the same search sent straight to
 * Meilisearch, over `--complaints` (200,000) complaints in nine counties, at a fixed rate.
 */
export async function run(given: BenchOptions): Promise<BenchOutcome> {
  const options = {
    ...given,
    rate: given.rate ?? 50,
    seconds: given.seconds ?? 20,
    complaints: given.complaints ?? 200_000,
  }
  const { stack, stop } = await isolatedStack('queue-search')
  let api: Awaited<ReturnType<typeof startServerChild>> | undefined
  // Idle connections close after 4 s, before the servers' 5 s keep-alive, so a request never
  // goes out on a connection the server is closing.
  const connections = new Connections({ maxSockets: 256, idleMs: 4_000 })
  try {
    // No outbox worker: nothing is queued for it, and its sweeps must not share the measurement.
    const env = stackEnv(stack, { LOG_LEVEL: 'info', WORKER_ENABLED: 'false' })
    const { data, seconds } = await fillAndIndex(stack, env, options.complaints)

    api = await startServerChild('api-server.ts', env, routePath)
    const cookie = await signedInHandler(stack.deps.db)
    const uid = stack.deps.search.indexName('complaints')
    const queries = queriesFor(data.newestTrackingNo)
    const queryOf = (i: number) => queries[i % queries.length]!
    const targets: Record<Target, Send> = {
      meilisearch: sender(connections, Number(new URL(stack.meiliUrl).port), (i) => ({
        method: 'POST',
        path: `/indexes/${uid}/search`,
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${stack.meiliKey ?? ''}`,
        },
        body: JSON.stringify(directSearchBody(queryOf(i))),
      })),
      api: sender(connections, api.port, (i) => ({
        method: 'GET',
        path: `${routePath}?q=${encodeURIComponent(queryOf(i))}&page=1`,
        headers: { cookie },
      })),
    }
    const answers = await compareAnswers(
      queries,
      { port: api.port, cookie },
      { url: stack.meiliUrl, key: stack.meiliKey ?? '', uid },
    )
    const watch = {
      apiServer: api.pid,
      meilisearch: stack.embeddedMeili?.pid(),
      postgres: stack.embeddedPostgres?.pid(),
    }
    process.stderr.write('queue-search: waiting for the machine to settle after the reindex…\n')
    const settleSeconds = await waitUntilQuiet(
      [stack.embeddedMeili?.pid(), stack.embeddedPostgres?.pid()],
      120,
    )

    for (const name of targetNames) {
      process.stderr.write(`queue-search: warming up ${name}…\n`)
      await openLoop(targets[name], options.rate, warmUpSeconds, watch)
    }
    api.markLog()
    const rounds: Record<Target, Round[]> = { meilisearch: [], api: [] }
    for (let i = 0; i < options.runs; i++) {
      for (const name of targetNames) {
        process.stderr.write(
          `queue-search: ${name} round ${i + 1}/${options.runs}, ${options.rate} req/s for ${options.seconds} s…\n`,
        )
        rounds[name].push(await openLoop(targets[name], options.rate, options.seconds, watch))
      }
    }

    const meili = stats(rounds.meilisearch, options.seconds)
    const apiStats = stats(rounds.api, options.seconds)
    const apiLog = api.log()
    const serverSorted = [...apiLog.serverMs].sort((a, b) => a - b)
    const ratio = {
      p50: round(apiStats.p50Ms / meili.p50Ms, 2),
      p99: round(apiStats.p99Ms / meili.p99Ms, 2),
    }
    const goal = {
      apiP99MsBelow: 100,
      overheadBelow: 2,
      latencyMet: apiStats.p99Ms < 100 && apiStats.errors === 0,
      // Both the typical and the tail request: the API may not double either.
      overheadMet: ratio.p50 < 2 && ratio.p99 < 2,
    }
    const result = {
      name: 'queue-search',
      date: new Date().toISOString(),
      machine: machine(),
      source: sourceVersion(),
      setup: {
        complaints: data.inserted,
        complaintsPerCounty: data.perCounty,
        county,
        ...seconds,
        settleSeconds,
        rate: options.rate,
        secondsPerRound: options.seconds,
        rounds: options.runs,
        warmUpSeconds,
        queries,
        client: 'node:http keep-alive connections, open loop, latency from the due time',
        api: `GET ${routePath}?q=…&page=1 with a county_handler (${county}) session cookie; createApp(deps) on node:http (bench/api-server.ts), LOG_LEVEL=info, WORKER_ENABLED=false`,
        meilisearch: `POST /indexes/<complaints>/search ${JSON.stringify(directSearchBody('…'))}`,
      },
      answers,
      meilisearch: meili,
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
      goal,
    }
    const differing = answers.filter((a) => !a.same).length
    const summary =
      `queue-search: ${routePath}?q= as a ${county} handler p50 ${apiStats.p50Ms} ms, p90 ${apiStats.p90Ms} ms, ` +
      `p99 ${apiStats.p99Ms} ms, max ${apiStats.maxMs} ms, ${apiStats.errors} errors; Meilisearch direct ` +
      `(same q, county filter, sort, page) p50 ${meili.p50Ms} ms, p99 ${meili.p99Ms} ms, max ${meili.maxMs} ms, ` +
      `${meili.errors} errors; overhead p50 ×${ratio.p50}, p99 ×${ratio.p99} (${options.rate} req/s, ` +
      `${options.runs}×${options.seconds} s each, ${data.inserted} complaints, ${data.perCounty[county] ?? 0} in ${county}` +
      `${differing > 0 ? `; ANSWERS DIFFER for ${differing} of ${answers.length} queries` : ''}); ` +
      `goal p99 < 100 ms: ${goal.latencyMet ? 'met' : 'MISSED'}, overhead < 2×: ${goal.overheadMet ? 'met' : 'MISSED'}`
    return { result, summary }
  } finally {
    connections.destroy()
    await api?.stop()
    await stop()
  }
}
