import fc from 'fast-check'
import { createSecretKey, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  newQueryCode,
  newTrackingNo,
  queryCodeHash,
  queryCodeMatches,
} from '../../api/services/complaints/codes.ts'
import { normalizeTrackingNo, trackingNoPattern } from '../../api/domain/tracking-codes.ts'
import { complaintInputSchema, parseOccurredAt } from '../../api/services/complaints/schemas.ts'
import { shortfallAmount } from '../../api/services/complaints/shortfall.ts'
import { maskPersonalNumbers } from '../../api/domain/masks.ts'
import { validate } from '../../api/services/complaints/file-checks.ts'

describe('shortfall amount (短缺金额)', () => {
  it('prices the missing quantity to the fen', () => {
    expect(shortfallAmount({ claimedQuantity: 1, measuredQuantity: 0.8, unitPrice: 18 })).toBe(3.6)
    expect(shortfallAmount({ claimedQuantity: 2.5, measuredQuantity: 2.35, unitPrice: 12.8 })).toBe(
      1.92,
    )
    expect(shortfallAmount({ claimedQuantity: 0.3, measuredQuantity: 0.1, unitPrice: 0.1 })).toBe(
      0.02,
    )
  })

  it('is never negative and never off by floating point', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        (claimed, measured, priceFen) => {
          const amount = shortfallAmount({
            claimedQuantity: claimed / 1000,
            measuredQuantity: measured / 1000,
            unitPrice: priceFen / 100,
          })
          const expectedFen = Math.round((Math.max(0, claimed - measured) * priceFen) / 1000)
          expect(amount).toBe(expectedFen / 100)
        },
      ),
    )
  })
})

describe('tracking numbers and query codes', () => {
  it('gives the day of receipt and eight random digits in two groups of four', () => {
    const numbers = Array.from({ length: 500 }, () => newTrackingNo('2026-12-06'))
    for (const n of numbers) {
      expect(n).toMatch(/^JL20261206-\d{4}-\d{4}$/)
      expect(trackingNoPattern.test(n)).toBe(true)
    }
    expect(new Set(numbers).size).toBe(500)
    // Every digit place varies: nothing is a counter or a fixed filler.
    const digits = numbers.map((n) => n.slice(11).replace('-', ''))
    for (let place = 0; place < 8; place++) {
      expect(new Set(digits.map((d) => d[place])).size).toBeGreaterThan(5)
    }
  })

  it('still accepts the sequential numbers issued before', () => {
    expect(trackingNoPattern.test('JL20261126-00042')).toBe(true)
    expect(trackingNoPattern.test('JL20261126-1234567')).toBe(true)
    expect(normalizeTrackingNo(' jl20261126-00042 ')).toBe('JL20261126-00042')
    expect(normalizeTrackingNo('JL20261126 00042')).toBe('JL20261126-00042')
    for (const bad of ['JL20261126-0042', 'JL2026112-4827-3915', 'JL20261126-482-73915', 'X']) {
      expect(trackingNoPattern.test(normalizeTrackingNo(bad)), bad).toBe(false)
    }
  })

  it('reads a number as residents type it: any case, spaces, full-width, other dashes, no dashes', () => {
    for (const typed of [
      'JL20261206-4827-3915',
      'jl20261206-4827-3915',
      ' JL 20261206 4827 3915 ',
      'JL2026120648273915',
      'JL20261206-48273915',
      'ＪＬ２０２６１２０６－４８２７－３９１５',
      'JL20261206—4827—3915',
      'JL20261206——4827——3915',
      'jl20261206\u30004827\u30003915',
    ]) {
      expect(normalizeTrackingNo(typed), typed).toBe('JL20261206-4827-3915')
    }
  })

  it('makes codes without look-alike characters, and matches them whatever the case or dash', () => {
    const key = createSecretKey(randomBytes(32))
    const codes = new Set(Array.from({ length: 200 }, () => newQueryCode()))
    expect(codes.size).toBe(200)
    for (const code of codes) expect(code).toMatch(/^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/)
    const code = [...codes][0]!
    const stored = queryCodeHash(key, 'JL20261126-00042', code)
    expect(
      queryCodeMatches(key, 'JL20261126-00042', code.toLowerCase().replace('-', ' '), stored),
    ).toBe(true)
    expect(queryCodeMatches(key, 'JL20261126-00043', code, stored)).toBe(false)
    expect(
      queryCodeMatches(createSecretKey(randomBytes(32)), 'JL20261126-00042', code, stored),
    ).toBe(false)
  })
})

describe('complaint fields', () => {
  it('reads a datetime-local value as Shanghai time and refuses dates that do not exist', () => {
    expect(parseOccurredAt('2026-11-26T08:30')?.toISOString()).toBe('2026-11-26T00:30:00.000Z')
    expect(parseOccurredAt('2026-02-30T08:30')).toBeUndefined()
    expect(parseOccurredAt('2026-11-26T08:30:00Z')?.toISOString()).toBe('2026-11-26T08:30:00.000Z')
    expect(parseOccurredAt('昨天下午')).toBeUndefined()
  })

  it('refuses a short-weight figure where the measured quantity is not short', () => {
    const result = complaintInputSchema.safeParse({
      kind: 'report',
      category: 'short_weight',
      county: '331102',
      merchantName: '摊位',
      address: '菜场',
      occurredAt: '2026-11-20T08:00',
      description: '复秤之后发现数量对不上。',
      consent: true,
      claimedQuantity: 1,
      measuredQuantity: 1.2,
      unit: 'jin',
    })
    expect(result.success).toBe(false)
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['measuredQuantity'])
  })
})

describe('the private index masks numbers a resident typed', () => {
  it('masks mobile, landline and ID numbers but leaves prices and dates', () => {
    expect(maskPersonalNumbers('电话13812345678，座机0578-2123456，身份证33110219800101123X')).toBe(
      '电话138****5678，座机0578-****456，身份证331102********123X',
    )
    expect(maskPersonalNumbers('少了 2 两，单价 36 元，2026-11-20')).toBe(
      '少了 2 两，单价 36 元，2026-11-20',
    )
  })

  it('masks a mobile, landline or ID number written in groups, however they are separated', () => {
    expect(maskPersonalNumbers('回电 138 1234 5678 或 138-1234-5678，座机 0578 2123456')).toBe(
      '回电 138****5678 或 138****5678，座机 0578-****456',
    )
    expect(maskPersonalNumbers('回电 138-1234 5678，身份证 331102 19800101 123X')).toBe(
      '回电 138****5678，身份证 331102********123X',
    )
    // Groups that are not a phone's: a count, a price and a time stay.
    expect(maskPersonalNumbers('共 150 1234 件？单价 13 元，10:30 称重 1345 克')).toBe(
      '共 150 1234 件？单价 13 元，10:30 称重 1345 克',
    )
  })
})

describe('text PostgreSQL cannot store', () => {
  it('drops U+0000 from every text field before the checks, so it never reaches an insert', () => {
    const checked = validate({
      kind: 'report',
      category: 'other',
      county: '331102',
      merchantName: '摊\u0000位',
      address: '菜场\u0000',
      occurredAt: '2026-11-26T09:10',
      description: '\u0000一段足够长的事情经过，中间夹着一个空字符\u0000。',
      consent: true,
    })
    expect(checked.merchantName).toBe('摊位')
    expect(checked.address).toBe('菜场')
    expect(checked.description).not.toContain('\u0000')
  })
})
