import { describe, expect, it } from 'vitest'
import {
  addressCluster,
  normaliseText,
  subjectsOfComplaint,
  type ComplaintSubjectFacts,
} from '../../api/domain/warning-subjects.ts'

const base: ComplaintSubjectFacts = {
  countyCode: '331102',
  category: 'short_weight',
  merchantName: '城西农贸市场 8 号摊位',
  merchantUscc: null,
  enterpriseUscc: null,
  address: '丽水市莲都区城西农贸市场 8 号',
  ticketNo: null,
}

describe('normaliseText', () => {
  it('makes full-width characters half-width and drops spaces and punctuation', () => {
    expect(normaliseText('万象菜场 ８号（东）摊位')).toBe(normaliseText('万象菜场8号东摊'))
    expect(normaliseText('ＡＢＣ 超市·人民路店铺')).toBe('abc超市人民路店')
  })

  it('writes the long forms of stall and shop words one way', () => {
    expect(normaliseText('3号档口')).toBe('3号档')
    expect(normaliseText('老王门店')).toBe('老王店')
    expect(normaliseText('老王摊点')).toBe('老王摊')
  })
})

describe('addressCluster', () => {
  it('takes the address up to its first market word, without city and county', () => {
    expect(addressCluster('丽水市莲都区城西农贸市场 8 号', '331102')).toBe('城西农贸市场')
    expect(addressCluster('莲都区万象街道丽阳超市二楼', '331102')).toBe('万象街道丽阳超市')
  })

  it('falls back to the first street, not the sub-district (街道)', () => {
    expect(addressCluster('莲都区紫金街道解放街 88 号', '331102')).toBe('紫金街道解放街')
    expect(addressCluster('青田县鹤城街道人民路 5 号', '331121')).toBe('鹤城街道人民路')
  })

  it('names no cluster when nothing is recognisable', () => {
    expect(addressCluster('莲都区某村 5 号', '331102')).toBeNull()
    expect(addressCluster('', '331102')).toBeNull()
  })
})

describe('subjectsOfComplaint', () => {
  it('names a business by its credit code when one is given, the directory link first', () => {
    const subjects = subjectsOfComplaint({
      ...base,
      merchantUscc: '91331102MA2E8C6Q7X',
      enterpriseUscc: '91331102MA2E8C6Q7Y',
    })
    expect(subjects.find((s) => s.kind === 'business')).toEqual({
      kind: 'business',
      key: 'uscc:91331102MA2E8C6Q7Y',
      label: '城西农贸市场 8 号摊位',
      countyCode: '331102',
    })
  })

  it('keys a business without a code by its normalised name and address', () => {
    const a = subjectsOfComplaint(base).find((s) => s.kind === 'business')!
    const b = subjectsOfComplaint({
      ...base,
      merchantName: '城西农贸市场８号摊',
      address: '莲都区 城西农贸市场8号',
    }).find((s) => s.kind === 'business')!
    expect(a.key).toBe(b.key)
    const other = subjectsOfComplaint({ ...base, merchantName: '城西农贸市场 9 号摊位' })
    expect(other.find((s) => s.kind === 'business')!.key).not.toBe(a.key)
  })

  it('names the cluster, the county category and the instrument kind, city-wide', () => {
    const subjects = subjectsOfComplaint(base)
    expect(subjects.map((s) => [s.kind, s.key, s.label, s.countyCode])).toEqual([
      ['business', expect.any(String), '城西农贸市场 8 号摊位', '331102'],
      ['address', '331102:城西农贸市场', '莲都区城西农贸市场', '331102'],
      ['county_category', '331102:short_weight', '莲都区·缺斤短两', '331102'],
      ['instrument', 'scale', '衡器', null],
    ])
    const fuel = subjectsOfComplaint({ ...base, category: 'fuel_dispenser' })
    expect(fuel.find((s) => s.kind === 'instrument')?.label).toBe('加油机')
    const other = subjectsOfComplaint({ ...base, category: 'other' })
    expect(other.some((s) => s.kind === 'instrument')).toBe(false)
  })

  it('names a 12345 ticket by its number', () => {
    const subjects = subjectsOfComplaint({ ...base, ticketNo: 'LS12345-20261126-0001' })
    expect(subjects.at(-1)).toEqual({
      kind: 'hotline_ticket',
      key: 'LS12345-20261126-0001',
      label: '12345 工单 LS12345-20261126-0001',
      countyCode: '331102',
    })
  })

  it('masks a phone number typed into the business name in its label', () => {
    const subjects = subjectsOfComplaint({ ...base, merchantName: '老王水果摊 13812345678' })
    expect(subjects[0]!.label).not.toContain('13812345678')
  })
})
