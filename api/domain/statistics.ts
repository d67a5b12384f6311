// The public statistics' shared rules (issue 24, item 3): how small figures are hidden and the
// plan's target line. Pages, CSV files, the XLSX report and open data all take them from here.

/** What a hidden figure shows: a count from 1 to 4, or a figure resting on one. */
export const suppressedMark = '<5'

/** Below this, a complaint count could point at the few residents behind it. */
const smallest = 5

/** A figure as published: a number, the mark of a hidden one, or '' where there is none. */
export type PublishedFigure = number | string

/**
 * A complaint count as published: 0 and 5 or more as they are, 1 to 4 as "<5" (a county's
 * category in one month with two complaints could name the two people who filed them).
 */
export function publishedCount(n: number): PublishedFigure {
  return n >= 1 && n < smallest ? suppressedMark : n
}

/** Whether a count is one `publishedCount` hides. */
const isHiddenCount = (n: number) => publishedCount(n) === suppressedMark

/**
 * A share in per cent with one decimal: '' when nothing was counted; "<5" when fewer than 5 were
 * (a rate over 3 cases says what each of them did), or when its numerator is a hidden count
 * (the rate times the published denominator would give that count back).
 */
export function publishedRate(numerator: number, denominator: number): PublishedFigure {
  if (denominator === 0) return ''
  if (denominator < smallest || isHiddenCount(numerator)) return suppressedMark
  return Math.round((numerator / denominator) * 1000) / 10
}

/** The median of `values` with one decimal: '' for none, "<5" when fewer than 5 gave it. */
export function publishedMedian(values: readonly number[]): PublishedFigure {
  if (values.length === 0) return ''
  if (values.length < smallest) return suppressedMark
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
  return Math.round(median * 10) / 10
}

/** The plan's figure to watch: 469 certified businesses in 2020, 1,500 by 2025. */
export const certificationPlan = { fromYear: 2020, from: 469, toYear: 2025, to: 1500 } as const

/**
 * The plan's line for a year: its two figures, and between them an even yearly step (the plan sets
 * only the two ends); 1,500 after 2025, none before 2020.
 */
export function planTarget(year: number): number | null {
  const { fromYear, from, toYear, to } = certificationPlan
  if (year < fromYear) return null
  if (year >= toYear) return to
  return Math.round(from + ((to - from) * (year - fromYear)) / (toYear - fromYear))
}

/** The last day a cutoff counts: statistics cut off on `cutoff` hold data to the end of the day before. */
export const lastCountedDay = (cutoff: string) =>
  new Date(Date.parse(`${cutoff}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10)
