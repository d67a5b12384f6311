import { describe, expect, it } from 'vitest'
import { understandQuery } from '../../api/search/understand.ts'

const read = (q: string, chosen: { county?: string; sector?: string } = {}) => {
  const r = understandQuery(q, chosen)
  return { text: r.text, county: r.county?.label, sector: r.sector?.label }
}

describe('reading county and sector words in a query', () => {
  it('reads a county and a sector run together, and searches the sector word', () => {
    expect(read('莲都加油站')).toEqual({ text: '加油站', county: '莲都区', sector: '加油站' })
    expect(read('莲都 加油站')).toEqual(read('加油站 莲都'))
  })

  it('takes the county word out of the text and keeps the sector word to rank by', () => {
    expect(read('龙泉万象超市')).toEqual({
      text: '万象 超市',
      county: '龙泉市',
      sector: '商场超市',
    })
    // The market of that name ranks before the other markets on 万象 street.
    expect(read('万象农贸市场')).toEqual({
      text: '万象 农贸市场',
      county: undefined,
      sector: '集贸市场',
    })
    expect(read('青田县中石化加油站')).toEqual({
      text: '中石化 加油站',
      county: '青田县',
      sector: '加油站',
    })
  })

  it('knows the short and long names of every county', () => {
    expect(read('景宁 饭店').county).toBe('景宁畲族自治县')
    expect(read('景宁县饭店').county).toBe('景宁畲族自治县')
    expect(read('缙云县').county).toBe('缙云县')
    expect(read('缙云').county).toBe('缙云县')
  })

  it('reads the longest word: 菜市场 is a market, not 菜市 followed by 场', () => {
    expect(read('紫金菜市场')).toEqual({
      text: '紫金 菜市场',
      county: undefined,
      sector: '集贸市场',
    })
  })

  it('corrects the bureau’s common mis-typings before reading', () => {
    expect(read('莲部加由站')).toEqual({ text: '加油站', county: '莲都区', sector: '加油站' })
  })

  it('leaves a filter the resident chose alone, and its words in the text', () => {
    expect(read('莲都加油站', { county: '331181' })).toEqual({
      text: '莲都 加油站',
      county: undefined,
      sector: '加油站',
    })
  })

  it('keeps a query without county or sector words exactly as typed', () => {
    expect(understandQuery(' 中石化 ', {})).toEqual({
      text: ' 中石化 ',
      county: undefined,
      sector: undefined,
    })
  })
})
