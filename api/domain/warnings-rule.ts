import type { WarningRule, WarningSeverity, WarningSubjectKind } from './warnings.ts'

/**
 * When a subject's complaints make a warning (issue 24). Pure; the detection service feeds it the
 * counts.
 *
 * The statistical rule ("baseline"): count the subject's complaints in the last `windowHours`
 * (48 h) and over the `baselineWeeks` (8 weeks) before that window. The subject's own rate is
 * baseline / 56 days, but never below a prior rate for its kind (a new stall has no history, and
 * one complaint in eight weeks says little), so λ = max(rate, prior) × 2 days. The window count
 * n is far above the baseline when the Poisson upper tail P(X ≥ n | λ) is below `pValue`
 * (1 in 10,000) AND n reaches the kind's floor: 3 for a business or an address, so two
 * complaints about a new stall never fire; more for a county's category and a city-wide
 * instrument kind, whose daily volumes are large (a floor there only stops a quiet category
 * from firing on a handful). Severity grows with how extreme the count is: 预警 below 1e-6 with
 * twice the floor, 严重 below 1e-9 with three times it.
 *
 * The fixed rule ("threshold"): a row of warning_thresholds for the subject's kind (and its
 * county, or city-wide) fires when the count in its own window reaches its minimum; severity is
 * the row's, one step up at twice the minimum. The higher severity of the two rules wins.
 *
 * 12345 tickets ("urged"): a ticket urged (催办) at least twice or supervised (督办) fires;
 * 关注 when urged twice or three times, 预警 when urged four times or more or supervised, 严重
 * when supervised and urged twice or more.
 */
export const ruleSettings = {
  windowHours: 48,
  baselineWeeks: 8,
  pValue: 1e-4,
  /** Least complaints in the window for the baseline rule to fire. */
  floor: {
    business: 3,
    address: 3,
    county_category: 6,
    instrument: 8,
    hotline_ticket: Number.POSITIVE_INFINITY,
  } satisfies Record<WarningSubjectKind, number>,
  /** Least complaints a day assumed for a subject, whatever its history. */
  priorPerDay: {
    business: 1 / 56,
    address: 1 / 28,
    county_category: 1 / 7,
    instrument: 1 / 7,
    hotline_ticket: 0,
  } satisfies Record<WarningSubjectKind, number>,
} as const

export interface SubjectCounts {
  kind: WarningSubjectKind
  /** Complaints in the last `ruleSettings.windowHours`. */
  windowCount: number
  /** Complaints in the `baselineWeeks` before the window. */
  baselineCount: number
  /** Counts for the fixed thresholds that apply to this subject, in their own windows. */
  thresholds: readonly {
    windowHours: number
    minCount: number
    severity: WarningSeverity
    count: number
  }[]
}

export interface Verdict {
  rule: WarningRule
  severity: WarningSeverity
  windowHours: number
  windowCount: number
  /** What the baseline expected in the window (the threshold's minimum for the fixed rule). */
  expected: number
  pValue: number
}

/** P(X ≥ n) for X ~ Poisson(λ), summed from the tail's first term (stable for small λ). */
export function poissonUpperTail(n: number, lambda: number): number {
  if (n <= 0) return 1
  if (lambda <= 0) return 0
  // log P(X = n) = n ln λ − λ − ln n!
  let logTerm = n * Math.log(lambda) - lambda
  for (let k = 2; k <= n; k++) logTerm -= Math.log(k)
  let term = Math.exp(logTerm)
  let sum = 0
  for (let k = n; k < n + 1000; k++) {
    sum += term
    term *= lambda / (k + 1)
    if (term < sum * 1e-15) break
  }
  return Math.min(1, sum)
}

/** What the subject's own history expects in one window. */
export function expectedInWindow(kind: WarningSubjectKind, baselineCount: number): number {
  const days = ruleSettings.baselineWeeks * 7
  const rate = Math.max(baselineCount / days, ruleSettings.priorPerDay[kind])
  return (rate * ruleSettings.windowHours) / 24
}

/** The warning a subject's counts call for, or null. */
export function judgeCounts(counts: SubjectCounts): Verdict | null {
  const n = counts.windowCount
  const floor = ruleSettings.floor[counts.kind]
  const expected = expectedInWindow(counts.kind, counts.baselineCount)
  const p = poissonUpperTail(n, expected)
  let verdict: Verdict | null = null
  if (n >= floor && p < ruleSettings.pValue) {
    const severity: WarningSeverity =
      p < 1e-9 && n >= 3 * floor ? 3 : p < 1e-6 && n >= 2 * floor ? 2 : 1
    verdict = {
      rule: 'baseline',
      severity,
      windowHours: ruleSettings.windowHours,
      windowCount: n,
      expected,
      pValue: p,
    }
  }
  for (const t of counts.thresholds) {
    if (t.count < t.minCount) continue
    const severity = Math.min(
      3,
      t.severity + (t.count >= 2 * t.minCount ? 1 : 0),
    ) as WarningSeverity
    if (!verdict || severity > verdict.severity) {
      verdict = {
        rule: 'threshold',
        severity,
        windowHours: t.windowHours,
        windowCount: t.count,
        expected: t.minCount,
        pValue: poissonUpperTail(t.count, expected),
      }
    }
  }
  return verdict
}

/** The warning a 12345 ticket's chasing calls for, or null. */
export function judgeTicket(ticket: {
  urgeCount: number
  supervised: boolean
}): Pick<Verdict, 'rule' | 'severity'> | null {
  const { urgeCount, supervised } = ticket
  if (!supervised && urgeCount < 2) return null
  const severity: WarningSeverity =
    supervised && urgeCount >= 2 ? 3 : supervised || urgeCount >= 4 ? 2 : 1
  return { rule: 'urged', severity }
}
