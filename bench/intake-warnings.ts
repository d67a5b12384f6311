import http from 'node:http'
import { isolatedStack, machine, median, round, sourceVersion, stackEnv } from './lib.ts'
import type { BenchOptions, BenchOutcome } from './lib.ts'
import { complaintChangedTopic } from '../api/search/complaint-indexer.ts'
import { complaintBody, forwardedFor } from './intake.ts'
import { closedLoop, openLoop, sender, startServerChild, stats, waitUntilQuiet } from './load.ts'
import type { Round } from './load.ts'

const warmUpSeconds = 3
const modes = ['off', 'on'] as const
type Mode = (typeof modes)[number]

/**
 * What early-warning detection costs intake (issue 24, acceptance 7): `POST /api/complaints` at a
 * fixed rate (500/s) with WARNINGS_DETECTION on and off, in alternating rounds of one run on one
 * machine. Each round starts the product's API (bench/api-server.ts, outbox worker on its
 * background thread as `npm start` runs it) in its mode, so only one worker drains the outbox;
 * measuring starts once the outbox is empty and PostgreSQL, Meilisearch and the API are quiet
 * (the worker's first sweep included), and the round's backlog is drained before the API stops.
 * Goal: the median of the rounds' p99 with detection at most 1.1 × without.
 *
 * The load is the intake benchmark's (bench/intake.ts): 500 stall names in one market across
 * eight counties, so from the first seconds every complaint joins open warnings (its stall, the
 * market, its county's category, the city's scales): the costliest path detection has.
 */
export async function run(given: BenchOptions): Promise<BenchOutcome> {
  const options = { ...given, rate: given.rate ?? 500, seconds: given.seconds ?? 20 }
  const { stack, stop } = await isolatedStack('intake-warnings')
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256, timeout: 4_000 })
  try {
    let serial = 0
    const rounds: Record<Mode, Round[]> = { off: [], on: [] }
    const drain: Record<Mode, number[]> = { off: [], on: [] }
    const pendingOutbox = async () => {
      const row = await stack.deps.db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('state', '=', 'pending')
        // Notices to handlers wait for their own channel's handler, which this bench leaves out.
        .where('topic', '=', complaintChangedTopic)
        .executeTakeFirstOrThrow()
      return Number(row.n)
    }
    /** Waits until no complaint change is pending in the outbox; returns the seconds it took. */
    const drained = async (limitMs: number) => {
      const started = performance.now()
      while ((await pendingOutbox()) > 0 && performance.now() - started < limitMs) {
        await new Promise((r) => setTimeout(r, 250))
      }
      if ((await pendingOutbox()) > 0) throw new Error('the outbox did not drain in time')
      return round((performance.now() - started) / 1000, 1)
    }

    for (let i = 0; i < options.runs; i++) {
      // Alternate which mode goes first, so neither always follows the other's backlog.
      const order: readonly Mode[] = i % 2 === 0 ? modes : [...modes].reverse()
      for (const mode of order) {
        const env = stackEnv(stack, {
          LOG_LEVEL: 'info',
          TRUST_PROXY: 'true',
          WORKER_ENABLED: 'true',
          WARNINGS_DETECTION: mode,
        })
        const api = await startServerChild('api-server.ts', env, '/api/complaints')
        try {
          const send = sender(agent, api.port, () => {
            const n = serial++
            return {
              method: 'POST',
              path: '/api/complaints',
              headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor(n) },
              body: complaintBody(n),
            }
          })
          process.stderr.write(
            `intake-warnings: round ${i + 1}/${options.runs}, detection ${mode}…\n`,
          )
          await closedLoop(send, warmUpSeconds, 16, 0)
          await drained(120_000)
          const watch = {
            api: api.pid,
            postgres: stack.embeddedPostgres?.pid(),
            meilisearch: stack.embeddedMeili?.pid(),
          }
          await waitUntilQuiet(Object.values(watch), 120)
          rounds[mode].push(await openLoop(send, options.rate, options.seconds, watch))
          drain[mode].push(await drained(300_000))
        } finally {
          await api.stop()
        }
      }
    }

    const on = stats(rounds.on, options.seconds)
    const off = stats(rounds.off, options.seconds)
    const ratio = round(on.medianOfRoundP99Ms / off.medianOfRoundP99Ms, 3)
    const goals = {
      p99RatioAtMost: 1.1,
      met: ratio <= 1.1 && on.errors === 0 && off.errors === 0,
    }
    const result = {
      name: 'intake-warnings',
      date: new Date().toISOString(),
      machine: machine(),
      source: sourceVersion(),
      setup: {
        rate: options.rate,
        secondsPerRound: options.seconds,
        rounds: options.runs,
        order: 'off then on in odd rounds, on then off in even ones; a fresh API process each',
        api: 'POST /api/complaints via bench/api-server.ts, LOG_LEVEL=info, abuse limits on, outbox worker on its background thread; WARNINGS_DETECTION on or off',
        settle:
          'before each measured round: the outbox empty and API, PostgreSQL and Meilisearch under 5 % of a core',
      },
      detectionOn: on,
      detectionOff: off,
      p99MedianRatio: ratio,
      secondsToDrainAfterRound: drain,
      goals,
    }
    const summary =
      `intake-warnings: at ${options.rate} req/s, median of the rounds' p99 with detection ` +
      `${on.medianOfRoundP99Ms} ms vs ${off.medianOfRoundP99Ms} ms without, ×${ratio} ` +
      `(goal ≤ 1.1: ${goals.met ? 'met' : 'MISSED'}); p50 ${on.p50Ms} vs ${off.p50Ms} ms; ` +
      `rounds' p99 on ${on.perRound.map((r) => r.p99Ms).join(', ')}, off ` +
      `${off.perRound.map((r) => r.p99Ms).join(', ')} ms; API cores ${on.cpuCores.api ?? '?'} vs ` +
      `${off.cpuCores.api ?? '?'}, PostgreSQL ${on.cpuCores.postgres ?? '?'} vs ` +
      `${off.cpuCores.postgres ?? '?'}; backlog drained after a round in ` +
      `${median(drain.on)} s vs ${median(drain.off)} s; ${options.runs}×${options.seconds} s each way`
    return { result, summary }
  } finally {
    agent.destroy()
    await stop()
  }
}
