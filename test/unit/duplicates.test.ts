import { describe, expect, it } from 'vitest'
import { descriptionSimilarity, duplicateReasons } from '../../api/domain/duplicates.ts'

describe('likely duplicates', () => {
  it('finds two accounts of one short weight alike, and unrelated ones not', () => {
    const a = '在万象菜场 8 号摊买了两斤带鱼，回家复秤只有一斤七两。'
    const b = '万象菜场8号摊位卖带鱼，两斤复秤只有一斤七两！'
    const c = '加油站的加油机显示 40 升，油箱只进了 36 升。'
    expect(descriptionSimilarity(a, a)).toBe(1)
    expect(descriptionSimilarity(a, b)).toBeGreaterThan(0.5)
    expect(descriptionSimilarity(a, c)).toBeLessThan(0.15)
    expect(descriptionSimilarity(a, b)).toBe(descriptionSimilarity(b, a))
    expect(descriptionSimilarity('', '')).toBe(0)
  })

  it('lists the same business always, the same place only with a similar description', () => {
    expect(duplicateReasons({ business: true, place: false }, 0)).toEqual(['same_business'])
    expect(duplicateReasons({ business: false, place: true }, 0.1)).toEqual([])
    expect(duplicateReasons({ business: false, place: true }, 0.3)).toEqual([
      'same_place',
      'similar_description',
    ])
    expect(duplicateReasons({ business: false, place: false }, 0.9)).toEqual([])
  })
})
