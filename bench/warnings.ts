import { createLogger } from '../api/logger.ts'
import { isolatedStack, machine, sourceVersion } from './lib.ts'
import type { BenchOutcome } from './lib.ts'
import { generateScenario, replayScenario } from './warnings-replay.ts'

const seed = 20261207
const burstCount = 50
/** A year of Beijing time. */
const start = Date.parse('2025-01-01T00:00:00+08:00')
const days = 365

/**
 * Early-warning detection quality (issue 24, acceptance 1): a synthetic year of complaints about
 * the demo businesses with 50 injected bursts, replayed through the real detection code against
 * the real PostgreSQL on a simulated clock (bench/warnings-replay.ts). Goals: at least 90 % of
 * the bursts warned within an hour of their third complaint; at most one false warning per
 * county per simulated week (the worst county-week). A missed goal makes the process exit 1.
 */
export async function run(): Promise<BenchOutcome> {
  const { stack, stop } = await isolatedStack('warnings')
  try {
    const scenario = generateScenario({ seed, start, days, bursts: burstCount })
    process.stderr.write(
      `warnings: replaying ${scenario.complaints.length} complaints over ${days} simulated days…\n`,
    )
    const deps = { ...stack.deps, logger: createLogger('warn') }
    const result = await replayScenario(deps, scenario, (day) => {
      if (day % 30 === 0) process.stderr.write(`warnings: day ${day}/${days}\n`)
    })
    const goals = {
      recallAtLeast: 0.9,
      falsePerCountyWeekAtMost: 1,
      recallMet: result.recall >= 0.9,
      falseWarningsMet: result.falsePerCountyWeek.max <= 1,
    }
    if (!goals.recallMet || !goals.falseWarningsMet) process.exitCode = 1
    const summary =
      `warnings: ${result.burstsWarnedInTime}/${result.bursts} bursts warned within 1 h of their ` +
      `third complaint, recall ${Math.round(result.recall * 100)} % (goal ≥ 90 %: ` +
      `${goals.recallMet ? 'met' : 'MISSED'}); median delay ${result.delaySeconds.median} s ` +
      `(p90 ${result.delaySeconds.p90} s); false warnings ${result.falseWarnings} in the year, ` +
      `${result.falsePerCountyWeek.mean} per county-week, at most ${result.falsePerCountyWeek.max} ` +
      `in one county-week (goal ≤ 1: ${goals.falseWarningsMet ? 'met' : 'MISSED'}); ` +
      `${result.complaints} complaints, ${result.warnings} warnings (${result.urgedWarnings} from ` +
      `urged 12345 tickets), replayed in ${result.replaySeconds} s`
    return {
      result: {
        name: 'warnings',
        date: new Date().toISOString(),
        machine: machine(),
        source: sourceVersion(),
        setup: {
          seed,
          simulatedDays: days,
          start: new Date(start).toISOString(),
          bursts: burstCount,
          replay:
            'each complaint inserted at its time and detected at that moment; the sweep at every simulated hour; warnings closed three days after their last case',
        },
        ...result,
        goals,
      },
      summary,
    }
  } finally {
    await stop()
  }
}
