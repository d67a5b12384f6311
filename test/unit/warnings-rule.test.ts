import { describe, expect, it } from 'vitest'
import {
  expectedInWindow,
  judgeCounts,
  judgeTicket,
  poissonUpperTail,
} from '../../api/domain/warnings-rule.ts'

describe('poissonUpperTail', () => {
  it('matches the closed forms', () => {
    expect(poissonUpperTail(0, 2)).toBe(1)
    expect(poissonUpperTail(1, 2)).toBeCloseTo(1 - Math.exp(-2), 12)
    // P(X ≥ 3 | 1) = 1 − e⁻¹(1 + 1 + 1/2)
    expect(poissonUpperTail(3, 1)).toBeCloseTo(1 - Math.exp(-1) * 2.5, 12)
    expect(poissonUpperTail(3, 0)).toBe(0)
  })

  it('stays accurate far in the tail', () => {
    // P(X ≥ 10 | 0.01) = e^−0.01 · 0.01¹⁰ / 10! · (1 + 0.01/11 + …)
    const first = (Math.exp(-0.01) * 1e-20) / 3628800
    expect(poissonUpperTail(10, 0.01) / first).toBeCloseTo(1 + 0.01 / 11, 5)
  })
})

const counts = (kind: 'business' | 'county_category', windowCount: number, baselineCount = 0) => ({
  kind,
  windowCount,
  baselineCount,
  thresholds: [],
})

describe('judgeCounts', () => {
  it('never fires on two complaints about a new stall', () => {
    expect(judgeCounts(counts('business', 2))).toBeNull()
  })

  it('needs the floor of a large subject even when its baseline is quiet', () => {
    // P(X ≥ 5 | 2/7) ≈ 1e-5, far below p, but a county's category needs 6.
    expect(judgeCounts(counts('county_category', 5))).toBeNull()
    expect(judgeCounts(counts('county_category', 6))).toMatchObject({ rule: 'baseline' })
  })

  it('fires on three complaints in the window about a business with no history', () => {
    expect(judgeCounts(counts('business', 3))).toMatchObject({
      rule: 'baseline',
      severity: 1,
      windowCount: 3,
      windowHours: 48,
    })
  })

  it('does not fire on a count usual for the subject', () => {
    // 56 complaints in 8 weeks: 2 a day, 4 expected in 48 h.
    expect(expectedInWindow('county_category', 56)).toBeCloseTo(2, 10)
    expect(judgeCounts(counts('county_category', 7, 112))).toBeNull()
    expect(judgeCounts(counts('county_category', 20, 112))).toMatchObject({ rule: 'baseline' })
  })

  it('raises severity with how extreme the count is', () => {
    expect(judgeCounts(counts('business', 6))?.severity).toBe(2)
    expect(judgeCounts(counts('business', 9))?.severity).toBe(3)
  })

  it('fires on a fixed threshold the statistical rule would not, with its severity', () => {
    const verdict = judgeCounts({
      kind: 'county_category',
      windowCount: 7,
      baselineCount: 112,
      thresholds: [{ windowHours: 24, minCount: 5, severity: 2, count: 5 }],
    })
    expect(verdict).toMatchObject({ rule: 'threshold', severity: 2, windowHours: 24, expected: 5 })
    const doubled = judgeCounts({
      kind: 'county_category',
      windowCount: 12,
      baselineCount: 112,
      thresholds: [{ windowHours: 24, minCount: 5, severity: 2, count: 10 }],
    })
    expect(doubled?.severity).toBe(3)
    const below = judgeCounts({
      kind: 'county_category',
      windowCount: 4,
      baselineCount: 112,
      thresholds: [{ windowHours: 24, minCount: 5, severity: 2, count: 4 }],
    })
    expect(below).toBeNull()
  })
})

describe('judgeTicket', () => {
  it('fires when a ticket is urged twice or supervised', () => {
    expect(judgeTicket({ urgeCount: 1, supervised: false })).toBeNull()
    expect(judgeTicket({ urgeCount: 2, supervised: false })).toEqual({ rule: 'urged', severity: 1 })
    expect(judgeTicket({ urgeCount: 0, supervised: true })).toEqual({ rule: 'urged', severity: 2 })
    expect(judgeTicket({ urgeCount: 2, supervised: true })).toEqual({ rule: 'urged', severity: 3 })
  })
})
