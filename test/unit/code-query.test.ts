import { describe, expect, it } from 'vitest'
import { asUsccPrefix } from '../../api/domain/uscc.ts'

describe('credit-code queries', () => {
  it('recognises the start of a credit code, in any case and with spaces', () => {
    expect(asUsccPrefix('91331102')).toBe('91331102')
    expect(asUsccPrefix('923311')).toBe('923311')
    expect(asUsccPrefix('91331102ma2e 8c6q7b')).toBe('91331102MA2E8C6Q7B')
  })

  it('leaves names, short numbers and letters outside the code alphabet to full-text search', () => {
    expect(asUsccPrefix('菜场')).toBeUndefined()
    expect(asUsccPrefix('12345')).toBeUndefined()
    expect(asUsccPrefix('ABCDEF12')).toBeUndefined()
    expect(asUsccPrefix('9133110I')).toBeUndefined()
    expect(asUsccPrefix(undefined)).toBeUndefined()
  })
})
