import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { maskName, maskPersonalNumbers, maskPhone } from '../../api/domain/masks.ts'
import {
  personalNumber,
  textAround,
  writtenNumber,
  type WrittenNumber,
} from './personal-numbers.ts'

describe('masking numbers in free text', () => {
  it('masks every way a mobile is written: prefixes, full-width digits, any separator', () => {
    for (const written of [
      '13811110004',
      '138 1111 0004',
      '138-1111-0004',
      '138.1111.0004',
      '138 - 1111 - 0004',
      '１３８１１１１０００４',
      '１３８－１１１１－０００４',
      '138　1111　0004',
    ]) {
      expect(maskPersonalNumbers(`回电${written}谢谢`)).toBe('回电138****0004谢谢')
    }
    expect(maskPersonalNumbers('电话 +86 138 1111 0004')).toBe('电话 +86 138****0004')
    expect(maskPersonalNumbers('电话 0086-13811110004')).toBe('电话 0086-138****0004')
    expect(maskPersonalNumbers('电话 8613811110004')).toBe('电话 86138****0004')
    expect(maskPersonalNumbers('电话（+86）138.1111.0004')).toBe('电话（+86）138****0004')
    expect(maskPersonalNumbers('电话＋８６ １３８１１１１０００４')).toBe('电话＋８６ 138****0004')
  })

  it('masks landlines with their area code, hiding at least four local digits', () => {
    expect(maskPersonalNumbers('座机 0578-2123456')).toBe('座机 0578-****456')
    expect(maskPersonalNumbers('座机 (0578) 2123456')).toBe('座机 0578-****456')
    expect(maskPersonalNumbers('座机 ０５７８－２１２３４５６')).toBe('座机 0578-****456')
    expect(maskPersonalNumbers('座机 010 8765 4321')).toBe('座机 010-****4321')
    expect(maskPersonalNumbers('座机 +86 578 2123456')).toBe('座机 +86 578-****456')
  })

  it('masks resident ID numbers, also grouped, keeping region and last four', () => {
    expect(maskPersonalNumbers('身份证 33110219800101123x')).toBe('身份证 331102********123X')
    expect(maskPersonalNumbers('身份证 331102 19800101 123X')).toBe('身份证 331102********123X')
    expect(maskPersonalNumbers('身份证 331102-1980-0101-1234')).toBe('身份证 331102********1234')
    expect(maskPersonalNumbers('身份证 ３３１１０２１９８００１０１１２３Ｘ')).toBe(
      '身份证 331102********123X',
    )
  })

  it('leaves prices, weights, dates, times, counts and work-order numbers as they were', () => {
    for (const text of [
      '少了 2 两，单价 36.5 元，2026-11-20 10:30 称重 1345 克',
      '共 150 1234 件？单价 13 元',
      '工单 LS12345-20261126-000123 已交办',
      '受理编号 JL20261127-00001',
      '案卷 9913912345678',
      '12345 热线补充材料（附件 2 个）：',
    ]) {
      expect(maskPersonalNumbers(text)).toBe(text)
    }
  })

  it('keeps nothing of a number but the allowed head and tail, in any text (property)', () => {
    fc.assert(
      fc.property(
        personalNumber,
        textAround,
        textAround,
        fc.context(),
        (number, before, after, ctx) => {
          const { written, expected, visibleDigits } = number
          const masked = maskPersonalNumbers(`${before}${written}${after}`)
          ctx.log(`${written} -> ${masked}`)
          expect(masked).toBe(`${before}${expected}${after}`)
          // Independent of the exact form: the only digits left are the prefix, head and tail.
          const digitsLeft = masked.normalize('NFKC').replace(/[^0-9Xx]/g, '')
          expect(digitsLeft).toBe(visibleDigits)
        },
      ),
      { numRuns: 2_000 },
    )
  })

  it('masks every number of a text holding several (property)', () => {
    fc.assert(
      fc.property(fc.array(personalNumber, { minLength: 2, maxLength: 5 }), (numbers) => {
        const text = numbers.map((n) => `，电话${n.written}。`).join('另')
        expect(maskPersonalNumbers(text)).toBe(
          numbers.map((n) => `，电话${n.expected}。`).join('另'),
        )
      }),
      { numRuns: 500 },
    )
  })

  it('answers quickly on long runs of digits and separators that are no number', () => {
    const hostile = `${'1 2-3.'.repeat(2_000)}x`
    const started = performance.now()
    maskPersonalNumbers(hostile)
    expect(performance.now() - started).toBeLessThan(500)
  })
})

describe('masking a contact phone', () => {
  it('masks a mobile and a landline as free text does, in one form however written', () => {
    expect(maskPhone('13812345678')).toBe('138****5678')
    expect(maskPhone('+86 138 1234 5678')).toBe('138****5678')
    expect(maskPhone('１３８１２３４５６７８')).toBe('138****5678')
    expect(maskPhone('0578-2123456')).toBe('0578-****456')
    expect(maskPhone('010-87654321')).toBe('010-****4321')
  })

  it('masks the same numbers as free text does (property)', () => {
    // Contact phones are stored as intake accepts them: spaces, dashes and +86 at most.
    const asStored = (n: WrittenNumber) =>
      !/[.．‐·]/.test(n.written) && !/^(?:86|＋)/.test(n.prefix)
    const phone = fc.oneof(writtenNumber('mobile'), writtenNumber('landline')).filter(asStored)
    fc.assert(
      fc.property(phone, (n) => {
        expect(maskPhone(n.written)).toBe(n.expectedNational)
      }),
      { numRuns: 500 },
    )
  })

  it('hides at least four characters of short numbers, and all of very short ones', () => {
    expect(maskPhone('82123456')).toBe('****3456')
    expect(maskPhone('123456')).toBe('****56')
    expect(maskPhone('12345')).toBe('*****')
    expect(maskPhone('')).toBe('')
  })
})

describe('masking a name', () => {
  it('keeps only the first character of a name', () => {
    expect(maskName('张三')).toBe('张*')
    expect(maskName('欧阳娜娜')).toBe('欧***')
    expect(maskName(' 王五 ')).toBe('王*')
    expect(maskName('张')).toBe('*')
    expect(maskName('𠀾二')).toBe('𠀾*')
    expect(maskName('')).toBe('')
  })
})
