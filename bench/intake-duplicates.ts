import { isolatedStack, machine, median, round, sourceVersion } from './lib.ts'
import type { BenchOptions, BenchOutcome } from './lib.ts'
import { alternatingIntakeRounds } from './intake-rounds.ts'
import { stats } from './load.ts'

/**
 * What the count on the filing form costs intake (issue 25, acceptance 7): `POST /api/complaints`
 * at a fixed rate (500/s) in alternating rounds (bench/intake-rounds.ts), once alone and once
 * with the form's `GET /api/complaints/open-cases` sent at the same rate beside it: one count for
 * every complaint filed, about the businesses being filed against. Goal: the median of the
 * rounds' intake p99 with the counts at most 1.2 × without. Early warning is on both ways (it
 * files the subjects the count reads).
 *
 * The API runs its count listener both ways, as the bureau runs it (OPEN_CASES_PORT,
 * api/worker/open-cases-listener.ts): the count is answered on the background thread, on CPU
 * time intake does not want. `intake-duplicates` sends intake straight to the API process and
 * the count straight to that listener; `intake-duplicates-nginx` sends both, both ways, through
 * the bureau's nginx site in front of it (bench/nginx-front.ts), as production runs: TLS, the
 * count sent to the listener and answered from nginx's cache while it is fresh.
 */
export function run(given: BenchOptions): Promise<BenchOutcome> {
  return measure(given, 'none')
}

export function runThroughNginx(given: BenchOptions): Promise<BenchOutcome> {
  return measure(given, 'nginx')
}

async function measure(given: BenchOptions, front: 'none' | 'nginx'): Promise<BenchOutcome> {
  const name = front === 'nginx' ? 'intake-duplicates-nginx' : 'intake-duplicates'
  const options = { ...given, rate: given.rate ?? 500, seconds: given.seconds ?? 20, front }
  const { stack, dir, stop } = await isolatedStack(name)
  try {
    const { rounds, companion, drain } = await alternatingIntakeRounds(
      name,
      stack,
      { ...options, dir, openCasesListener: true },
      {
        off: { env: {} },
        on: { env: {}, companion: 'open-cases' },
      },
    )
    const on = stats(rounds.on, options.seconds)
    const off = stats(rounds.off, options.seconds)
    const counts = stats(companion.on, options.seconds)
    const ratio = round(on.medianOfRoundP99Ms / off.medianOfRoundP99Ms, 3)
    const goals = {
      p99RatioAtMost: 1.2,
      met: ratio <= 1.2 && on.errors === 0 && off.errors === 0 && counts.errors === 0,
    }
    const result = {
      name,
      date: new Date().toISOString(),
      machine: machine(),
      source: sourceVersion(),
      setup: {
        rate: options.rate,
        secondsPerRound: options.seconds,
        rounds: options.runs,
        order: 'off then on in odd rounds, on then off in even ones; a fresh API process each',
        api: 'POST /api/complaints via bench/api-server.ts, LOG_LEVEL=info, abuse limits on, outbox worker and early warning on, count listener on (OPEN_CASES_PORT); with the counts: GET /api/complaints/open-cases at the same rate beside it, to the count listener',
        front:
          front === 'nginx'
            ? 'deploy/nginx/lishui-metrology.conf (one worker, TLS, HTTP/1.1 keep-alive, its count cache) in front of the API both ways; the load generator as the balancer before it (realip)'
            : 'none: straight to the API process',
        generator:
          'intake from the measuring process; the counts from a load generator process of their own (bench/companion-load.ts), on the same machine',
        settle:
          'before each measured round: the outbox empty and API, PostgreSQL and Meilisearch under 5 % of a core',
      },
      intakeWithCounts: on,
      intakeAlone: off,
      counts,
      p99MedianRatio: ratio,
      secondsToDrainAfterRound: drain,
      goals,
    }
    const nginxCores =
      front === 'nginx'
        ? `; nginx cores ${on.cpuCores.nginx ?? '?'} vs ${off.cpuCores.nginx ?? '?'}`
        : ''
    const summary =
      `${name}: at ${options.rate} req/s, median of the rounds' intake p99 with the ` +
      `form's counts ${on.medianOfRoundP99Ms} ms vs ${off.medianOfRoundP99Ms} ms without, ` +
      `×${ratio} (goal ≤ 1.2: ${goals.met ? 'met' : 'MISSED'}); p50 ${on.p50Ms} vs ${off.p50Ms} ` +
      `ms; rounds' p99 with ${on.perRound.map((r) => r.p99Ms).join(', ')}, without ` +
      `${off.perRound.map((r) => r.p99Ms).join(', ')} ms; the counts p50 ${counts.p50Ms} ms, ` +
      `p99 ${counts.p99Ms} ms, ${counts.errors} errors; API cores ${on.cpuCores.api ?? '?'} vs ` +
      `${off.cpuCores.api ?? '?'}, PostgreSQL ${on.cpuCores.postgres ?? '?'} vs ` +
      `${off.cpuCores.postgres ?? '?'}; backlog drained after a round in ` +
      `${median(drain.on)} s vs ${median(drain.off)} s${nginxCores}; ${options.runs}×${options.seconds} s each way`
    return { result, summary }
  } finally {
    await stop()
  }
}
