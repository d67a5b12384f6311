import { describe, expect, it } from 'vitest'
import {
  base32Decode,
  base32Encode,
  groupedForTyping,
  matchingTotpStep,
  newTotpSecret,
  otpauthUri,
  totpCode,
  totpStepAt,
} from '../../api/services/admin/auth/totp.ts'

// RFC 6238 appendix B, SHA-1 rows: the key is the ASCII of "12345678901234567890".
const rfcKey = Buffer.from('12345678901234567890', 'ascii')
const rfcVectors: [seconds: number, code: string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
]

const at = (seconds: number) => new Date(seconds * 1000)

describe('TOTP codes (RFC 6238)', () => {
  it.each(rfcVectors)('at %i s gives the RFC’s 8-digit code %s', (seconds, code) => {
    expect(totpCode(rfcKey, totpStepAt(at(seconds)), 8)).toBe(code)
  })

  it.each(rfcVectors)('at %i s gives the last six digits as the 6-digit code', (seconds, code) => {
    expect(totpCode(rfcKey, totpStepAt(at(seconds)))).toBe(code.slice(2))
  })

  it('accepts the code of the current step and of one step either side, naming the step', () => {
    const secret = base32Encode(rfcKey)
    const now = at(1111111111)
    const step = totpStepAt(now)
    for (const drift of [-1, 0, 1]) {
      expect(matchingTotpStep(secret, totpCode(rfcKey, step + drift), now)).toBe(step + drift)
    }
  })

  it('refuses codes two steps away, wrong codes and anything but six digits', () => {
    const secret = base32Encode(rfcKey)
    const now = at(1111111111)
    const step = totpStepAt(now)
    expect(matchingTotpStep(secret, totpCode(rfcKey, step - 2), now)).toBeNull()
    expect(matchingTotpStep(secret, totpCode(rfcKey, step + 2), now)).toBeNull()
    const right = totpCode(rfcKey, step)
    const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0')
    expect(matchingTotpStep(secret, wrong, now)).toBeNull()
    expect(matchingTotpStep(secret, `${right}0`, now)).toBeNull()
    expect(matchingTotpStep(secret, 'abcdef', now)).toBeNull()
  })
})

describe('TOTP secrets', () => {
  it('encode and decode base32 as RFC 4648 section 10 does', () => {
    const vectors = [
      ['', ''],
      ['f', 'MY'],
      ['fo', 'MZXQ'],
      ['foo', 'MZXW6'],
      ['foob', 'MZXW6YQ'],
      ['fooba', 'MZXW6YTB'],
      ['foobar', 'MZXW6YTBOI'],
    ] as const
    for (const [plain, encoded] of vectors) {
      expect(base32Encode(Buffer.from(plain))).toBe(encoded)
      expect(base32Decode(encoded).toString()).toBe(plain)
    }
    expect(base32Decode('mzxw 6ytb-oi====').toString()).toBe('foobar')
  })

  it('are 160 random bits, shown in groups of four for typing', () => {
    const secret = newTotpSecret()
    expect(secret).toMatch(/^[A-Z2-7]{32}$/)
    expect(base32Decode(secret)).toHaveLength(20)
    expect(newTotpSecret()).not.toBe(secret)
    expect(groupedForTyping('ABCDEFGHIJ')).toBe('ABCD EFGH IJ')
  })

  it('go into an otpauth URI that names the account and the code’s settings', () => {
    const uri = new URL(otpauthUri('JBSWY3DPEHPK3PXP', 'zhang.san'))
    expect(uri.protocol).toBe('otpauth:')
    expect(uri.host).toBe('totp')
    expect(decodeURIComponent(uri.pathname)).toBe('/丽水诚信计量后台:zhang.san')
    expect(Object.fromEntries(uri.searchParams)).toEqual({
      secret: 'JBSWY3DPEHPK3PXP',
      issuer: '丽水诚信计量后台',
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    })
  })
})
