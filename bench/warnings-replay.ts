import { randomBytes } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import type { ComplaintCategory, Database } from '../db/database.ts'
import { countyNames } from '../api/domain/counties.ts'
import {
  detectWarnings,
  sweepWarnings,
  type DetectionDeps,
} from '../api/services/warnings/detection.ts'
import { isCaseOfWarning } from '../db/queries/warnings.ts'
import { generateDemoRecords, prng } from '../scripts/demo/generate.ts'
import { median, percentile, round } from './lib.ts'

/**
 * A synthetic year of complaints about the demo businesses with injected bursts, replayed through
 * the real detection code on a simulated clock, and its score (issue 24, acceptance 1). Shared by
 * bench/warnings.ts (a year, 50 bursts) and the integration test (a few weeks, two bursts).
 */

const hour = 3600_000

interface SyntheticComplaint {
  at: number
  countyCode: string
  category: ComplaintCategory
  merchantName: string
  merchantUscc: string | null
  address: string
  hotline: { urgeCount: number } | null
  /** Index of the injected burst it belongs to; null for the background. */
  burst: number | null
}

interface Burst {
  countyCode: string
  label: string
  size: number
  start: number
}

export interface Scenario {
  start: number
  hours: number
  complaints: SyntheticComplaint[]
  bursts: Burst[]
}

const categoryOfSector: Record<string, ComplaintCategory> = {
  market: 'short_weight',
  supermarket: 'short_weight',
  catering: 'short_weight',
  grain: 'short_weight',
  other: 'short_weight',
  fuel_station: 'fuel_dispenser',
  gas_station: 'fuel_dispenser',
  taxi: 'taxi_meter',
  water: 'utility_meter',
  power: 'utility_meter',
  gas_supply: 'utility_meter',
  optical: 'optical',
  medical: 'medical',
  charging: 'other',
}

/** Complaints a year relative to the others: the city's centre files the most. */
const countyWeight: Record<string, number> = {
  '331102': 1.8,
  '331121': 1.1,
  '331122': 1.0,
  '331123': 0.7,
  '331124': 0.7,
  '331125': 0.6,
  '331126': 0.5,
  '331127': 0.5,
  '331181': 1.0,
}

/** Poisson draws (Knuth; the rates here are small). */
function poisson(random: () => number, lambda: number) {
  const limit = Math.exp(-lambda)
  let k = 0
  let p = random()
  while (p > limit) {
    k++
    p *= random()
  }
  return k
}

/**
 * The background: each demo business has its own yearly rate (most 0.3–1, a quarter about 2, one
 * in twenty about 6; scaled by its county), complaints fall at random hours, a tenth of them
 * rigged instruments instead of short weight, a third through 12345 (a few urged once or twice).
 * Stalls in the demo markets, which have no credit code, get complaints by name and stall number.
 * Bursts: `bursts` of 4–12 complaints about one business or stall within 6–36 h, spread evenly
 * over the period and round-robin over the counties.
 */
export function generateScenario(options: {
  seed: number
  start: number
  days: number
  bursts: number
}): Scenario {
  const random = prng(options.seed)
  const hours = options.days * 24
  const span = hours * hour
  const businesses = generateDemoRecords()
  const complaints: SyntheticComplaint[] = []
  const hotline = () =>
    random() < 0.3 ? { urgeCount: random() < 0.9 ? 0 : random() < 0.85 ? 1 : 2 } : null
  const category = (sector: string) => {
    const c = categoryOfSector[sector] ?? 'other'
    return c === 'short_weight' && random() < 0.1 ? 'rigged_instrument' : c
  }
  const markets = businesses.filter((b) => b.sectorCode === 'market')
  const stall = (market: (typeof markets)[number], n: number) => ({
    merchantName: `${market.name} ${n} 号摊位`,
    merchantUscc: null,
    address: `${countyNames[market.countyCode]}${market.name} ${n} 号`,
  })

  for (const b of businesses) {
    const roll = random()
    const perYear =
      (roll < 0.7 ? 0.3 + random() * 0.7 : roll < 0.95 ? 2 : 6) * countyWeight[b.countyCode]!
    const n = poisson(random, (perYear * options.days) / 365)
    for (let i = 0; i < n; i++) {
      complaints.push({
        at: options.start + Math.floor(random() * span),
        countyCode: b.countyCode,
        category: category(b.sectorCode),
        merchantName: b.name,
        merchantUscc: b.uscc,
        address: b.address,
        hotline: hotline(),
        burst: null,
      })
    }
  }
  for (const m of markets) {
    const n = poisson(random, (6 * countyWeight[m.countyCode]! * options.days) / 365)
    for (let i = 0; i < n; i++) {
      complaints.push({
        at: options.start + Math.floor(random() * span),
        countyCode: m.countyCode,
        category: category('market'),
        ...stall(m, 1 + Math.floor(random() * 80)),
        hotline: hotline(),
        burst: null,
      })
    }
  }

  const counties = Object.keys(countyWeight)
  const bursts: Burst[] = []
  for (let i = 0; i < options.bursts; i++) {
    const countyCode = counties[i % counties.length]!
    // Evenly spread, jittered within its slot, and ending before the period does.
    const slot = (span - 3 * 24 * hour) / options.bursts
    const start = options.start + Math.floor(slot * i + random() * slot * 0.8)
    const size = 4 + Math.floor(random() * 9)
    const length = (6 + random() * 30) * hour
    const inCounty = random() < 0.6
    const named = inCounty
      ? businesses.filter((b) => b.countyCode === countyCode && b.sectorCode !== 'charging')
      : markets.filter((m) => m.countyCode === countyCode)
    const target = named[Math.floor(random() * named.length)]!
    const who = inCounty
      ? { merchantName: target.name, merchantUscc: target.uscc, address: target.address }
      : stall(target, 81 + i)
    const sector = inCounty ? target.sectorCode : 'market'
    const times = Array.from({ length: size }, (_, k) =>
      k === 0 ? start : start + Math.floor(random() * length),
    ).sort((a, b) => a - b)
    for (const at of times) {
      // Some residents give the credit code, others only the name.
      const withCode = who.merchantUscc !== null && random() < 0.8
      complaints.push({
        at,
        countyCode,
        category: categoryOfSector[sector] ?? 'other',
        ...who,
        merchantUscc: withCode ? who.merchantUscc : null,
        hotline: random() < 0.3 ? { urgeCount: 0 } : null,
        burst: i,
      })
    }
    bursts.push({ countyCode, label: who.merchantName, size, start })
  }
  complaints.sort((a, b) => a.at - b.at)
  return { start: options.start, hours, complaints, bursts }
}

/** Writes one synthetic complaint (an anonymous report) as filed at its time; returns its id. */
async function insertComplaint(db: Kysely<Database>, c: SyntheticComplaint, serial: number) {
  const at = new Date(c.at)
  const day = at.toISOString().slice(0, 10).replaceAll('-', '')
  const row = await db
    .insertInto('complaints')
    .values({
      trackingNo: `JL${day}-${String(serial).padStart(8, '0')}`,
      queryCodeHash: randomBytes(32),
      kind: 'report',
      category: c.category,
      channel: c.hotline ? 'hotline12345' : 'web',
      countyCode: c.countyCode,
      merchantName: c.merchantName,
      merchantUscc: c.merchantUscc,
      address: c.address,
      occurredAt: at,
      description: '基准测试：复秤发现分量不足。',
      receivedAt: at,
      dueAt: new Date(c.at + 15 * 24 * hour),
      createdAt: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  if (c.hotline) {
    await db
      .insertInto('hotlineTickets')
      .values({
        ticketNo: `LS12345-${day}-${String(serial).padStart(8, '0')}`,
        complaintId: row.id,
        appealType: '举报',
        urgency: 'normal',
        title: '反映计量问题',
        assignedAt: at,
        deadline: new Date(c.at + 15 * 24 * hour),
        lastEventAt: at,
        urgeCount: c.hotline.urgeCount,
      })
      .execute()
  }
  return row.id
}

/**
 * Handlers deal with a warning within three days of its last case: the bench closes it then, so
 * the subject can warn again (one open warning per subject).
 */
async function closeHandledWarnings(db: Kysely<Database>, now: Date) {
  await sql`
    UPDATE warnings SET state = 'handled', action = 'other', closed_at = ${now}
    WHERE state IN ('open', 'acknowledged') AND last_case_at < ${now}::timestamptz - interval '72 hours'
  `.execute(db)
}

export interface ReplayResult {
  complaints: number
  warnings: number
  /** Warnings from the 12345 rule (urged or supervised tickets): facts, not guesses. */
  urgedWarnings: number
  bursts: number
  burstsWarnedInTime: number
  recall: number
  /** Seconds from each warned burst's third complaint to its first warning. */
  delaySeconds: { median: number; p90: number; max: number }
  falseWarnings: number
  /** False warnings per county (or 全市 for a city-wide subject) per simulated week. */
  falsePerCountyWeek: { mean: number; max: number }
  missed: {
    label: string
    countyCode: string
    size: number
    firstWarningAfterHours: number | null
  }[]
  replaySeconds: number
}

/**
 * Replays the scenario hour by hour: each complaint is inserted at its time and detection runs on
 * it at that moment (as the outbox handler would, a second later), then the hourly sweep at the
 * hour's end; warnings quiet for three days are closed. Then scores it: a burst is warned when a
 * warning holding one of its cases fired between its first complaint and an hour after its
 * third; a warning none of whose cases is in a burst is false (12345 urged warnings apart).
 */
export async function replayScenario(
  deps: DetectionDeps,
  scenario: Scenario,
  progress?: (done: number) => void,
): Promise<ReplayResult> {
  const started = performance.now()
  const burstOf = new Map<string, number>()
  let next = 0
  for (let h = 0; h < scenario.hours; h++) {
    const end = scenario.start + (h + 1) * hour
    while (next < scenario.complaints.length && scenario.complaints[next]!.at < end) {
      const c = scenario.complaints[next]!
      const id = await insertComplaint(deps.db, c, next + 1)
      if (c.burst !== null) burstOf.set(id, c.burst)
      await detectWarnings(deps, [id], new Date(c.at + 1000))
      next++
    }
    await sweepWarnings(deps, new Date(end))
    await closeHandledWarnings(deps.db, new Date(end))
    if (h % 24 === 23) progress?.((h + 1) / 24)
  }

  const cases = await deps.db
    .selectFrom('warnings as w')
    .innerJoin('complaintSubjects as cs', (join) => join.on(isCaseOfWarning))
    .select(['w.id', 'w.firedAt', 'w.countyCode', 'w.rule', 'cs.complaintId'])
    .execute()
  const warnings = new Map<
    string,
    { firedAt: number; countyCode: string | null; rule: string; bursts: Set<number> }
  >()
  for (const c of cases) {
    const w = warnings.get(c.id) ?? {
      firedAt: c.firedAt.getTime(),
      countyCode: c.countyCode,
      rule: c.rule,
      bursts: new Set<number>(),
    }
    const burst = burstOf.get(c.complaintId)
    if (burst !== undefined) w.bursts.add(burst)
    warnings.set(c.id, w)
  }

  const times = scenario.bursts.map(() => [] as number[])
  for (const c of scenario.complaints) if (c.burst !== null) times[c.burst]!.push(c.at)
  const delays: number[] = []
  const missed: ReplayResult['missed'] = []
  scenario.bursts.forEach((b, i) => {
    const first = times[i]![0]!
    const third = times[i]![2]!
    const fired = [...warnings.values()]
      .filter((w) => w.bursts.has(i) && w.firedAt >= first)
      .map((w) => w.firedAt)
      .sort((x, y) => x - y)
    const firstFired = fired[0]
    if (firstFired !== undefined && firstFired <= third + hour) {
      delays.push(Math.max(0, firstFired - third) / 1000)
    } else {
      missed.push({
        label: b.label,
        countyCode: b.countyCode,
        size: b.size,
        firstWarningAfterHours:
          firstFired === undefined ? null : round((firstFired - third) / hour, 2),
      })
    }
  })

  const weeks = Math.ceil(scenario.hours / (7 * 24))
  const perCountyWeek = new Map<string, number>()
  let falseWarnings = 0
  let urgedWarnings = 0
  for (const w of warnings.values()) {
    if (w.rule === 'urged') {
      urgedWarnings++
      continue
    }
    if (w.bursts.size > 0) continue
    falseWarnings++
    const week = Math.floor((w.firedAt - scenario.start) / (7 * 24 * hour))
    const key = `${w.countyCode ?? '全市'}:${week}`
    perCountyWeek.set(key, (perCountyWeek.get(key) ?? 0) + 1)
  }
  const sortedDelays = [...delays].sort((a, b) => a - b)
  // Nine counties and the city level, each week.
  const cells = (Object.keys(countyNames).length + 1) * weeks
  return {
    complaints: scenario.complaints.length,
    warnings: warnings.size,
    urgedWarnings,
    bursts: scenario.bursts.length,
    burstsWarnedInTime: delays.length,
    recall: round(delays.length / scenario.bursts.length, 3),
    delaySeconds: {
      median: round(median(delays)),
      p90: round(percentile(sortedDelays, 0.9)),
      max: round(sortedDelays.at(-1) ?? Number.NaN),
    },
    falseWarnings,
    falsePerCountyWeek: {
      mean: round(falseWarnings / cells, 4),
      max: Math.max(0, ...perCountyWeek.values()),
    },
    missed,
    replaySeconds: round((performance.now() - started) / 1000, 1),
  }
}
