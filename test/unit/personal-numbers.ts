import fc from 'fast-check'

/**
 * Phone and ID numbers written the ways people write them (issue 20): country prefixes, full-width
 * digits, spaces, dashes and dots of either width anywhere between digits, brackets round an area
 * code. Each comes with what masking must turn it into, worked out here independently of the
 * masking code: the head and tail the DESIGN allows, nothing of the rest.
 */
export interface WrittenNumber {
  kind: 'mobile' | 'landline' | 'id'
  /** The number itself, ASCII, national form (a landline with its trunk 0). */
  digits: string
  /** The country prefix as written, with its gap; empty when there is none. */
  prefix: string
  written: string
  expected: string
  /** What the number alone masks to, without its prefix, in national form (a contact phone). */
  expectedNational: string
  /** Every digit the masked form may show: the prefix's, then the head's and the tail's. */
  visibleDigits: string
}

const toFullWidth = (c: string) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)

const separators = ['', '', ' ', '-', '.', '－', '．', '\u3000', ' - ', '\u00A0', '‐', '·']

/** As most people write it: the usual groups, one separator (or none), one width. */
function inGroups(chars: string, groups: readonly number[]): fc.Arbitrary<string> {
  return fc
    .record({ full: fc.boolean(), separator: fc.constantFrom(...separators) })
    .map(({ full, separator }) => {
      const parts: string[] = []
      let at = 0
      for (const size of groups) {
        parts.push(chars.slice(at, at + size))
        at += size
      }
      const text = parts.join(separator)
      return full ? text.replace(/[0-9Xx]/g, toFullWidth) : text
    })
}

/**
 * Writes `chars` in its usual groups, or with random full-width characters and a random
 * separator at random places.
 */
function written(chars: string, groups: readonly number[] = [chars.length]): fc.Arbitrary<string> {
  return fc.oneof(inGroups(chars, groups), anyhow(chars))
}

function anyhow(chars: string): fc.Arbitrary<string> {
  const n = chars.length
  return fc
    .record({
      width: fc.constantFrom('ascii', 'full', 'mixed'),
      fullAt: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
      gaps: fc.array(fc.constantFrom(...separators), { minLength: n - 1, maxLength: n - 1 }),
    })
    .map(({ width, fullAt, gaps }) =>
      Array.from(chars)
        .map((c, i) => {
          const full = width === 'full' || (width === 'mixed' && fullAt[i])
          return (full ? toFullWidth(c) : c) + (gaps[i] ?? '')
        })
        .join(''),
    )
}

const digits = (n: number) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''))
const digitFrom = (min: number, max: number) => fc.integer({ min, max }).map(String)

const stars = (n: number) => '*'.repeat(n)
const prefixDigits = (prefix: string) => prefix.normalize('NFKC').replace(/\D/g, '')

const mobilePrefixes = [
  '',
  '',
  '+86',
  '+86 ',
  '+86-',
  '0086',
  '0086 ',
  '86',
  '86 ',
  '(+86)',
  '（+86）',
  '＋８６',
  '＋８６ ',
]

const mobile: fc.Arbitrary<WrittenNumber> = fc
  .tuple(digitFrom(3, 9), digits(9))
  .map(([second, rest]) => `1${second}${rest}`)
  .chain((d) =>
    fc
      .tuple(fc.constant(d), fc.constantFrom(...mobilePrefixes), written(d, [3, 4, 4]))
      .map(([d, prefix, w]) => ({
        kind: 'mobile' as const,
        digits: d,
        prefix,
        written: `${prefix}${w}`,
        expected: `${prefix}${d.slice(0, 3)}${stars(4)}${d.slice(7)}`,
        expectedNational: `${d.slice(0, 3)}${stars(4)}${d.slice(7)}`,
        visibleDigits: `${prefixDigits(prefix)}${d.slice(0, 3)}${d.slice(7)}`,
      })),
  )

/** 010 and 02x with 8-digit local numbers; 0xxx (x from 3) with 7 or 8 digits. */
const landlineParts = fc.oneof(
  fc
    .tuple(fc.constantFrom('010', '020', '021', '025', '027'), digitFrom(2, 9), digits(7))
    .map(([area, first, rest]) => ({ area, local: `${first}${rest}` })),
  fc
    .tuple(digitFrom(3, 9), digits(2), digitFrom(2, 9), fc.integer({ min: 6, max: 7 }))
    .chain(([a, b, first, restLength]) =>
      digits(restLength).map((rest) => ({ area: `0${a}${b}`, local: `${first}${rest}` })),
    ),
)

const landline: fc.Arbitrary<WrittenNumber> = landlineParts.chain(({ area, local }) => {
  const shown = Math.min(4, local.length - 4)
  const maskedLocal = `${stars(local.length - shown)}${local.slice(local.length - shown)}`
  const tail = local.slice(local.length - shown)
  const national = fc
    .oneof(
      written(`${area}${local}`, [area.length, local.length]),
      fc
        .tuple(written(area), fc.constantFrom('', ' '), written(local))
        .map(([a, gap, l]) => `(${a})${gap}${l}`),
    )
    .map((w) => ({
      kind: 'landline' as const,
      digits: `${area}${local}`,
      prefix: '',
      written: w,
      expected: `${area}-${maskedLocal}`,
      expectedNational: `${area}-${maskedLocal}`,
      visibleDigits: `${area}${tail}`,
    }))
  const international = fc
    .tuple(
      fc.constantFrom('+86 ', '+86-', '0086 ', '＋８６ '),
      written(area.slice(1)),
      written(local),
    )
    .map(([prefix, a, l]) => ({
      kind: 'landline' as const,
      digits: `${area}${local}`,
      prefix,
      written: `${prefix}${a} ${l}`,
      expected: `${prefix}${area.slice(1)}-${maskedLocal}`,
      expectedNational: `${area}-${maskedLocal}`,
      visibleDigits: `${prefixDigits(prefix)}${area.slice(1)}${tail}`,
    }))
  return fc.oneof(national, international)
})

const idNumber: fc.Arbitrary<WrittenNumber> = fc
  .tuple(
    digitFrom(1, 8),
    digits(5),
    fc.integer({ min: 1930, max: 2025 }),
    fc.integer({ min: 1, max: 12 }),
    fc.integer({ min: 1, max: 28 }),
    digits(3),
    fc.constantFrom(...Array.from('0123456789Xx')),
  )
  .map(([r0, region, year, month, day, sequence, check]) => {
    const pad = (n: number) => String(n).padStart(2, '0')
    return `${r0}${region}${year}${pad(month)}${pad(day)}${sequence}${check}`
  })
  .chain((id) =>
    written(id, [6, 8, 4]).map((w) => {
      const upper = id.toUpperCase()
      return {
        kind: 'id' as const,
        digits: upper,
        prefix: '',
        written: w,
        expected: `${upper.slice(0, 6)}${stars(8)}${upper.slice(14)}`,
        expectedNational: `${upper.slice(0, 6)}${stars(8)}${upper.slice(14)}`,
        visibleDigits: `${upper.slice(0, 6)}${upper.slice(14)}`,
      }
    }),
  )

const byKind = { mobile, landline, id: idNumber }

export const writtenNumber = (kind: WrittenNumber['kind']) => byKind[kind]

export const personalNumber: fc.Arbitrary<WrittenNumber> = fc.oneof(mobile, landline, idNumber)

/**
 * Words around a number: Chinese, Latin letters, punctuation and the separators themselves, but
 * no digit, bracket or plus sign, which would make them part of the number, and no X, which a
 * check of the digits left would count as an ID number's.
 */
export const textAround: fc.Arbitrary<string> = fc
  .array(fc.constantFrom(...Array.from('投诉商家电话请回拨联系我，。、：；！？ abcY-.·　')), {
    maxLength: 8,
  })
  .map((chars) => chars.join(''))
