import { isolatedStack, machine, median, round, sourceVersion } from './lib.ts'
import type { BenchOptions, BenchOutcome } from './lib.ts'
import { alternatingIntakeRounds } from './intake-rounds.ts'
import { stats } from './load.ts'

/**
 * What early-warning detection costs intake (issue 24, acceptance 7): `POST /api/complaints` at a
 * fixed rate (500/s) with WARNINGS_DETECTION on and off, in alternating rounds of one run on one
 * machine (bench/intake-rounds.ts). Goal: the median of the rounds' p99 with detection at most
 * 1.1 × without.
 *
 * The load is the intake benchmark's (bench/intake.ts): 500 stall names in one market across
 * eight counties, so from the first seconds every complaint joins open warnings (its stall, the
 * market, its county's category, the city's scales): the costliest path detection has.
 */
export async function run(given: BenchOptions): Promise<BenchOutcome> {
  const options = { ...given, rate: given.rate ?? 500, seconds: given.seconds ?? 20 }
  const { stack, stop } = await isolatedStack('intake-warnings')
  try {
    const { rounds, drain } = await alternatingIntakeRounds('intake-warnings', stack, options, {
      off: { env: { WARNINGS_DETECTION: 'off' } },
      on: { env: { WARNINGS_DETECTION: 'on' } },
    })
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
    await stop()
  }
}
