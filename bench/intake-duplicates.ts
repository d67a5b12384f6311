import { isolatedStack, machine, median, round, sourceVersion } from './lib.ts'
import type { BenchOptions, BenchOutcome } from './lib.ts'
import { benchCounties } from './intake.ts'
import { alternatingIntakeRounds } from './intake-rounds.ts'
import { sender, stats } from './load.ts'

/** What the filing form asks while a resident names the business (bench/intake.ts's stalls). */
function openCasesPath(i: number) {
  const query = new URLSearchParams({
    county: benchCounties[i % benchCounties.length]!,
    merchantName: `基准测试菜场 ${i % 500} 号摊位`,
    address: '莲都区基准测试菜场',
  })
  return `/api/complaints/open-cases?${query.toString()}`
}

/**
 * What the count on the filing form costs intake (issue 25, acceptance 7): `POST /api/complaints`
 * at a fixed rate (500/s) in alternating rounds (bench/intake-rounds.ts), once alone and once
 * with the form's `GET /api/complaints/open-cases` sent at the same rate beside it: one count for
 * every complaint filed, about the businesses being filed against. Goal: the median of the
 * rounds' intake p99 with the counts at most 1.2 × without. Early warning is on both ways (it
 * files the subjects the count reads).
 *
 * `intake-duplicates` sends everything straight to the API process; `intake-duplicates-nginx`
 * sends it, both ways, through the bureau's nginx site in front of it (bench/nginx-front.ts), as
 * production runs: TLS, and the count answered from nginx's cache while it is fresh.
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
    let asked = 0
    const { rounds, companion, drain } = await alternatingIntakeRounds(
      name,
      stack,
      { ...options, dir },
      {
        off: { env: {} },
        on: {
          env: {},
          companion: (connections, port) =>
            sender(connections, port, () => ({
              method: 'GET',
              path: openCasesPath(asked++),
              headers: { accept: 'application/json', 'x-forwarded-for': '10.250.0.1' },
            })),
        },
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
        api: 'POST /api/complaints via bench/api-server.ts, LOG_LEVEL=info, abuse limits on, outbox worker and early warning on; with the counts: GET /api/complaints/open-cases at the same rate beside it',
        front:
          front === 'nginx'
            ? 'deploy/nginx/lishui-metrology.conf (one worker, TLS, HTTP/1.1 keep-alive, its count cache) in front of the API both ways; the load generator as the balancer before it (realip)'
            : 'none: straight to the API process',
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
