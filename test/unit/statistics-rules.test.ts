import { describe, expect, it } from 'vitest'
import {
  planTarget,
  publishedCount,
  publishedMedian,
  publishedRate,
  suppressedMark,
} from '../../api/domain/statistics.ts'

describe('hiding small complaint figures (issue 24, item 3)', () => {
  it('shows a count from 1 to 4 as "<5", and 0 and 5 or more as they are', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 120].map(publishedCount)).toEqual([
      0,
      '<5',
      '<5',
      '<5',
      '<5',
      5,
      6,
      120,
    ])
    expect(suppressedMark).toBe('<5')
  })

  it('hides a rate over fewer than 5 cases, and one that would give a hidden count back', () => {
    expect(publishedRate(0, 0)).toBe('')
    expect(publishedRate(3, 4)).toBe('<5')
    expect(publishedRate(0, 4)).toBe('<5')
    // 2 of 10: 20 % times the published 10 is the hidden 2.
    expect(publishedRate(2, 10)).toBe('<5')
    expect(publishedRate(0, 5)).toBe(0)
    expect(publishedRate(5, 5)).toBe(100)
    expect(publishedRate(5, 6)).toBe(83.3)
    expect(publishedRate(6, 11)).toBe(54.5)
  })

  it('hides a median over fewer than 5 values and rounds to one decimal', () => {
    expect(publishedMedian([])).toBe('')
    expect(publishedMedian([1, 2, 3, 4])).toBe('<5')
    expect(publishedMedian([9, 1, 5, 3, 7])).toBe(5)
    expect(publishedMedian([1, 2, 3, 4, 5, 6.25])).toBe(3.5)
    expect(publishedMedian([0.04, 0.05, 0.06, 0.07, 0.08])).toBe(0.1)
  })
})

describe('the plan’s target line', () => {
  it('runs from 469 in 2020 to 1,500 in 2025 in even steps, and stays at 1,500', () => {
    expect([2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026].map(planTarget)).toEqual([
      null,
      469,
      675,
      881,
      1088,
      1294,
      1500,
      1500,
    ])
  })
})
