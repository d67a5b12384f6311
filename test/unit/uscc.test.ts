import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  isValidUscc,
  usccCharacters,
  usccCheckCharacter,
  usccProblem,
} from '../../api/domain/uscc.ts'

const body17 = fc
  .tuple(
    fc.constantFrom('91', '92', '93', '12', '52'),
    fc.constantFrom('331102', '331121', '331181'),
    fc.array(fc.constantFrom(...usccCharacters), { minLength: 9, maxLength: 9 }),
  )
  .map(([a, b, c]) => a + b + c.join(''))

describe('unified social credit code (GB 32100-2015)', () => {
  it('accepts codes published by registration authorities', () => {
    // Check characters worked by hand from the standard's weights (3^i mod 31).
    expect(usccCheckCharacter('91350100M000100Y4')).toBe('3')
    expect(isValidUscc('91350100M000100Y43')).toBe(true)
  })

  it('says which rule a bad code breaks', () => {
    expect(usccProblem('9133110')?.rule).toBe('length')
    expect(usccProblem('91331102MA2E8C6Q7I')?.rule).toBe('alphabet')
    expect(usccProblem('91ABCDEFMA2E8C6Q7B')?.rule).toBe('division')
    const wrong = usccProblem('91350100M000100Y44')
    expect(wrong?.rule).toBe('check')
    expect(wrong?.message).toContain('“3”')
  })

  it('always accepts a code whose check character was computed, and rejects any other', () => {
    fc.assert(
      fc.property(body17, fc.constantFrom(...usccCharacters), (body, other) => {
        const check = usccCheckCharacter(body)
        expect(isValidUscc(body + check)).toBe(true)
        if (other !== check) expect(usccProblem(body + other)?.rule).toBe('check')
      }),
    )
  })
})
