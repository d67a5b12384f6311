import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { reindexAll } from '../api/search/reindex.ts'
import { insertSyntheticEnterprises } from '../scripts/demo/bulk.ts'
import { freePort, waitForPort } from '../scripts/stack/ports.ts'
import {
  isolatedStack,
  machine,
  median,
  percentile,
  repoRoot,
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
 * code, and typos (加由站, 超世).
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
]

type Send = (q: string) => Promise<number>

/** One request on a keep-alive agent; resolves with the status once the body is read. */
export function sender(
  agent: http.Agent,
  port: number,
  request: (q: string) => {
    method: string
    path: string
    headers: http.OutgoingHttpHeaders
    body?: string
  },
): Send {
  return (q) =>
    new Promise((resolve, reject) => {
      const r = request(q)
      const req = http.request(
        { host: '127.0.0.1', port, agent, method: r.method, path: r.path, headers: r.headers },
        (res) => {
          res.resume()
          res.once('end', () => resolve(res.statusCode ?? 0))
          res.once('error', reject)
        },
      )
      req.setTimeout(10_000, () => req.destroy(new Error('timeout')))
      req.once('error', reject)
      req.end(r.body)
    })
}

interface Round {
  latencies: number[]
  errors: number
  statuses: Record<string, number>
  /** How late the generator sent its worst request: large values mean the client fell behind. */
  maxSendLagMs: number
  cpuSeconds: Record<string, number>
  /** The machine's 1-minute load average when the round ended (others' work shows here). */
  loadAverage1m: number
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat. */
function cpuSeconds(pid: number | undefined): number {
  if (!pid) return Number.NaN
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return Number.NaN
  }
}

/**
 * Open loop: request i is due at start + i / rate whether or not earlier ones have answered, and
 * its latency counts from when it was due (not when it was sent), so a stall is charged to every
 * request it delays (no coordinated omission).
 */
export async function openLoop(
  send: Send,
  rate: number,
  seconds: number,
  watch: Record<string, number | undefined>,
): Promise<Round> {
  const total = rate * seconds
  const interval = 1000 / rate
  const outcome: Round = {
    latencies: [],
    errors: 0,
    statuses: {},
    maxSendLagMs: 0,
    cpuSeconds: {},
    loadAverage1m: 0,
  }
  const cpuBefore = Object.fromEntries(
    Object.entries(watch).map(([k, pid]) => [k, cpuSeconds(pid)]),
  )
  const start = performance.now() + 20
  let sent = 0
  let finished = 0
  await new Promise<void>((resolve) => {
    const done = () => {
      if (++finished === total) resolve()
    }
    const tick = () => {
      const now = performance.now()
      while (sent < total && start + sent * interval <= now) {
        const due = start + sent * interval
        outcome.maxSendLagMs = Math.max(outcome.maxSendLagMs, now - due)
        send(queries[sent % queries.length]!).then(
          (status) => {
            if (status === 200) outcome.latencies.push(performance.now() - due)
            else {
              outcome.errors++
              outcome.statuses[status] = (outcome.statuses[status] ?? 0) + 1
            }
            done()
          },
          () => {
            outcome.errors++
            outcome.statuses.network = (outcome.statuses.network ?? 0) + 1
            done()
          },
        )
        sent++
      }
      if (sent < total) setTimeout(tick, Math.max(0, start + sent * interval - performance.now()))
    }
    tick()
  })
  for (const [k, pid] of Object.entries(watch)) {
    outcome.cpuSeconds[k] = round(cpuSeconds(pid) - (cpuBefore[k] ?? Number.NaN), 2)
  }
  outcome.loadAverage1m = round(os.loadavg()[0] ?? 0, 2)
  return outcome
}

export function stats(rounds: Round[], seconds: number) {
  const all = rounds.flatMap((r) => r.latencies).sort((a, b) => a - b)
  const requests = rounds.reduce((n, r) => n + r.latencies.length + r.errors, 0)
  const cpu: Record<string, number> = {}
  for (const r of rounds)
    for (const [k, v] of Object.entries(r.cpuSeconds)) cpu[k] = (cpu[k] ?? 0) + v
  return {
    requests,
    errors: rounds.reduce((n, r) => n + r.errors, 0),
    statuses: rounds.map((r) => r.statuses),
    p50Ms: round(percentile(all, 0.5), 2),
    p90Ms: round(percentile(all, 0.9), 2),
    p99Ms: round(percentile(all, 0.99), 2),
    maxMs: round(all.at(-1) ?? Number.NaN, 2),
    perRound: rounds.map((r) => {
      const sorted = [...r.latencies].sort((a, b) => a - b)
      return {
        p50Ms: round(percentile(sorted, 0.5), 2),
        p99Ms: round(percentile(sorted, 0.99), 2),
        maxMs: round(sorted.at(-1) ?? Number.NaN, 2),
        maxSendLagMs: round(r.maxSendLagMs, 2),
        loadAverage1m: r.loadAverage1m,
      }
    }),
    medianOfRoundP99Ms: round(
      median(
        rounds.map((r) =>
          percentile(
            [...r.latencies].sort((a, b) => a - b),
            0.99,
          ),
        ),
      ),
      2,
    ),
    /** CPU used per second of load, as a share of one core. */
    cpuCores: Object.fromEntries(
      Object.entries(cpu).map(([k, v]) => [k, round(v / (seconds * rounds.length), 2)]),
    ),
  }
}

/** Starts the API server child; collects the `ms` of every logged /api/search request. */
async function startApiServer(env: Record<string, string>) {
  const port = await freePort()
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(repoRoot, 'bench', 'search-server.ts')],
    { cwd: repoRoot, env: { ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const serverMs: number[] = []
  /** The API's event-loop delay, one sample per second: [p99, max] in ms. */
  const loopDelays: [number, number][] = []
  const lines = createInterface({ input: child.stdout! })
  lines.on('line', (line) => {
    const ms = /"path":"\/api\/search".*"ms":([\d.]+)/.exec(line)?.[1]
    if (ms) serverMs.push(Number(ms))
    const delay = /"eventLoopDelay":\{"p99":([\d.e+-]+),"max":([\d.e+-]+)\}/.exec(line)
    if (delay) loopDelays.push([Number(delay[1]), Number(delay[2])])
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  await waitForPort(port, 30_000)
  return {
    port,
    pid: child.pid,
    serverMs,
    loopDelays,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    },
  }
}

/**
 * /api/search (the product's Hono app over HTTP) against Meilisearch's own /multi-search with the
 * same two queries the route makes, over 100,000 businesses, at a fixed request rate.
 */
export async function run(options: BenchOptions): Promise<BenchOutcome> {
  const { stack, stop } = await isolatedStack('search')
  let api: Awaited<ReturnType<typeof startApiServer>> | undefined
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 })
  try {
    const { db, search, logger } = stack.deps
    process.stderr.write(`search: inserting ${enterpriseCount} businesses…\n`)
    await insertSyntheticEnterprises(db, enterpriseCount)
    process.stderr.write('search: npm run reindex (reindexAll)…\n')
    const reindexStarted = performance.now()
    const reindexed = await reindexAll({ db, search, logger })
    const reindexSeconds = (performance.now() - reindexStarted) / 1000
    if (!reindexed.consistent) throw new Error(`reindex inconsistent: ${JSON.stringify(reindexed)}`)

    api = await startApiServer(stackEnv(stack, { LOG_LEVEL: 'info' }))
    const meiliPort = Number(new URL(stack.meiliUrl).port)
    const meiliBody = (q: string) =>
      JSON.stringify({
        queries: [
          { indexUid: search.indexName('enterprises'), q, limit: 10 },
          { indexUid: search.indexName('notices'), q, limit: 10 },
        ],
      })
    const meiliRequest = (acceptEncoding?: string) => (q: string) => ({
      method: 'POST',
      path: '/multi-search',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${stack.meiliKey ?? ''}`,
        ...(acceptEncoding ? { 'accept-encoding': acceptEncoding } : {}),
      },
      body: meiliBody(q),
    })
    const targets: Record<Target, Send> = {
      meilisearch: sender(agent, meiliPort, meiliRequest()),
      // What the API's own Meilisearch client (fetch) asks for: a compressed, chunked answer.
      meilisearchCompressed: sender(agent, meiliPort, meiliRequest(undiciAcceptEncoding)),
      api: sender(agent, api.port, (q) => ({
        method: 'GET',
        path: `/api/search?q=${encodeURIComponent(q)}`,
        headers: {},
      })),
    }
    const watch = { apiServer: api.pid, meilisearch: stack.embeddedMeili?.pid() }

    for (const [name, send] of Object.entries(targets)) {
      process.stderr.write(`search: warming up ${name}…\n`)
      await openLoop(send, options.rate, warmUpSeconds, watch)
    }
    api.serverMs.length = 0
    api.loopDelays.length = 0
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
    const serverSorted = [...api.serverMs].sort((a, b) => a - b)
    const ratio = {
      p50: round(apiStats.p50Ms / meili.p50Ms, 2),
      p99: round(apiStats.p99Ms / meili.p99Ms, 2),
    }
    const met = apiStats.p99Ms < 50 && apiStats.errors === 0
    const result = {
      name: 'search',
      date: new Date().toISOString(),
      machine: machine(),
      source: sourceVersion(),
      setup: {
        enterprises: enterpriseCount,
        reindexSeconds: round(reindexSeconds, 1),
        rate: options.rate,
        secondsPerRound: options.seconds,
        rounds: options.runs,
        warmUpSeconds,
        queries,
        client: 'node:http keep-alive agent, open loop, latency from the due time',
        api: 'createApp(deps) on node:http (bench/search-server.ts), LOG_LEVEL=info',
        meilisearch: 'POST /multi-search with the same two queries as /api/search',
        meilisearchCompressed: `the same with accept-encoding: ${undiciAcceptEncoding} (as fetch asks)`,
      },
      meilisearch: meili,
      meilisearchCompressed: compressed,
      api: {
        ...apiStats,
        // Worst one-second window of the API's event-loop delay during the measured rounds.
        eventLoopDelayMs: {
          worstSecondP99: round(Math.max(...api.loopDelays.map((d) => d[0])), 1),
          max: round(Math.max(...api.loopDelays.map((d) => d[1])), 1),
        },
        serverSideMs: {
          requests: serverSorted.length,
          p50: round(percentile(serverSorted, 0.5), 2),
          p99: round(percentile(serverSorted, 0.99), 2),
          max: round(serverSorted.at(-1) ?? Number.NaN, 2),
        },
      },
      ratio,
      goal: { apiP99MsBelow: 50, met },
    }
    const summary =
      `search: /api/search p50 ${apiStats.p50Ms} ms, p90 ${apiStats.p90Ms} ms, p99 ${apiStats.p99Ms} ms, ` +
      `max ${apiStats.maxMs} ms, ${apiStats.errors} errors; Meilisearch direct p50 ${meili.p50Ms} ms, ` +
      `p99 ${meili.p99Ms} ms, max ${meili.maxMs} ms, ${meili.errors} errors (asked for compression as ` +
      `fetch does: p50 ${compressed.p50Ms} ms, p99 ${compressed.p99Ms} ms); ratio p50 ×${ratio.p50}, ` +
      `p99 ×${ratio.p99} (${options.rate} req/s, ${options.runs}×${options.seconds} s each, ` +
      `${enterpriseCount} businesses); goal p99 < 50 ms: ${met ? 'met' : 'MISSED'}`
    return { result, summary }
  } finally {
    agent.destroy()
    await api?.stop()
    await stop()
  }
}
