import { describe, expect, it } from 'vitest'
import { parseSearchWords, searchWords, toMeiliSynonyms } from '../../api/search/synonyms.ts'

describe('the bureau’s search words (content/search/synonyms.json)', () => {
  it('holds the groups residents need', () => {
    const synonyms = toMeiliSynonyms(searchWords)
    expect(synonyms['菜市场']).toEqual(expect.arrayContaining(['农贸市场', '菜场', '集贸市场']))
    expect(synonyms['中石化']).toContain('中国石化')
    expect(synonyms['中石油']).toContain('中国石油')
    expect(synonyms['加油站']).toContain('加气站')
    expect(synonyms['眼镜店']).toEqual(expect.arrayContaining(['眼镜', '配镜']))
    expect(synonyms['超市']).toContain('商超')
  })

  it('sends each group both ways and each typo one way, with the meant word’s group', () => {
    const synonyms = toMeiliSynonyms(
      parseSearchWords({ groups: [['菜场', '农贸市场']], typos: { 莱场: '菜场' } }),
    )
    expect(synonyms).toEqual({ 菜场: ['农贸市场'], 农贸市场: ['菜场'], 莱场: ['菜场', '农贸市场'] })
  })

  it('refuses a word in two groups, naming it', () => {
    expect(() =>
      parseSearchWords({
        groups: [
          ['菜场', '农贸市场'],
          ['菜场', '菜市场'],
        ],
        typos: {},
      }),
    ).toThrow(/groups\.1\.0: “菜场”已在第 1 组中/)
  })

  it('refuses a typo that is also a word of a group, a group of one and a word with a space', () => {
    expect(() =>
      parseSearchWords({ groups: [['菜场', '农贸市场']], typos: { 菜场: '农贸市场' } }),
    ).toThrow(/typos\.菜场: “菜场”是同义词组里的词/)
    expect(() => parseSearchWords({ groups: [['菜场']], typos: {} })).toThrow(/一组至少 2 个词/)
    expect(() => parseSearchWords({ groups: [['菜 场', '菜市场']], typos: {} })).toThrow(/不含空格/)
    expect(() => parseSearchWords({ groups: [] })).toThrow(/typos/)
  })
})
