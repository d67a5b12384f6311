import { describe, expect, it } from 'vitest'
import {
  argon2MemoryKib,
  argon2Parallelism,
  argon2TimeCost,
  hashPassword,
  passwordNeedsRehash,
  verifyPassword,
} from '../../api/services/admin/auth/password-hash.ts'
import {
  newOneTimePassword,
  newPasswordProblems,
} from '../../api/services/admin/auth/password-policy.ts'
import { isCommonPassword } from '../../api/services/admin/auth/common-passwords.ts'
import argon2 from 'argon2'

/** `$argon2id$v=19$m=19456,t=2,p=1$salt$hash` → its parts, parameters as a map. */
function parsePhc(phc: string) {
  const [, variant, version, params, salt, hash] = phc.split('$')
  const values = Object.fromEntries(
    (params ?? '').split(',').map((kv) => kv.split('=') as [string, string]),
  )
  return { variant, version, params: values, salt, hash }
}

describe('password hashing', () => {
  it('uses OWASP’s Argon2id settings: 19 MiB, two passes, one lane', () => {
    expect([argon2MemoryKib, argon2TimeCost, argon2Parallelism]).toEqual([19456, 2, 1])
  })

  it('stores a PHC string of the argon2id variant carrying exactly those parameters', async () => {
    const phc = parsePhc(await hashPassword('correct horse battery staple'))
    expect(phc.variant).toBe('argon2id')
    expect(phc.version).toBe('v=19')
    expect(phc.params).toEqual({ m: '19456', t: '2', p: '1' })
    // 16-byte salt and 32-byte hash, base64 without padding.
    expect(Buffer.from(phc.salt!, 'base64')).toHaveLength(16)
    expect(Buffer.from(phc.hash!, 'base64')).toHaveLength(32)
  })

  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('correct horse battery staple')
    expect(await verifyPassword(stored, 'correct horse battery staple')).toBe(true)
    expect(await verifyPassword(stored, 'correct horse battery stapler')).toBe(false)
    expect(await verifyPassword('$argon2id$broken', 'anything')).toBe(false)
  })

  it('salts each hash, so one password stored twice looks different', async () => {
    expect(await hashPassword('same password here')).not.toBe(
      await hashPassword('same password here'),
    )
  })

  it('asks for a re-hash only of hashes made with weaker parameters', async () => {
    expect(passwordNeedsRehash(await hashPassword('a password of ours'))).toBe(false)
    const weak = await argon2.hash('a password of ours', {
      type: argon2.argon2id,
      memoryCost: 4096,
      timeCost: 1,
      parallelism: 1,
    })
    expect(passwordNeedsRehash(weak)).toBe(true)
  })
})

describe('new password policy', () => {
  const base = { username: 'zhang.san', currentPassword: 'h7Kd2-abcde-fghij-kmnpq' }

  it('accepts a long password that is new and does not contain the username', () => {
    expect(newPasswordProblems({ ...base, newPassword: '莲都区投诉处理 2026 冬' })).toEqual([])
    expect(newPasswordProblems({ ...base, newPassword: 'twelve chars' })).toEqual([])
  })

  it('refuses fewer than 12 characters, counting a Chinese character as one', () => {
    const [problem] = newPasswordProblems({ ...base, newPassword: '丽水市计量投诉处理办' })
    expect(problem).toBe('新密码至少需要 12 个字符（现在是 10 个），请加长。')
    expect(newPasswordProblems({ ...base, newPassword: 'eleven char' })).toHaveLength(1)
  })

  it('refuses a password containing the username, whatever its case', () => {
    expect(newPasswordProblems({ ...base, newPassword: 'my-ZHANG.SAN-2026!' })).toEqual([
      '新密码不能包含用户名，请换一个。',
    ])
  })

  it('refuses the current password again', () => {
    expect(newPasswordProblems({ ...base, newPassword: base.currentPassword })).toEqual([
      '新密码不能与当前密码相同，请换一个。',
    ])
  })

  it.each(['123456789012', 'password1234', 'Password1234', '1qaz2wsx3edc', 'qwertyuiop12'])(
    'refuses %j, one of the common passwords shipped as data, saying why in Chinese',
    (newPassword) => {
      expect(newPasswordProblems({ ...base, newPassword })).toEqual([
        '这个密码是最常见的密码之一（如 123456789012），很容易被猜中，请换一个别人想不到的，例如几个不相关的词组成的短句。',
      ])
    },
  )

  it('knows the common list as shipped (tens of thousands of entries), not a handful', () => {
    expect(isCommonPassword('123456')).toBe(true)
    expect(isCommonPassword('dragon')).toBe(true)
    expect(isCommonPassword('莲都区投诉处理 2026 冬')).toBe(false)
  })

  it('refuses a password too long to hash cheaply', () => {
    expect(newPasswordProblems({ ...base, newPassword: 'x'.repeat(129) })).toEqual([
      '新密码最多 128 个字符，请缩短。',
    ])
  })
})

describe('one-time passwords', () => {
  it('meet the policy for a new password themselves', () => {
    for (let i = 0; i < 50; i++) {
      const newPassword = newOneTimePassword()
      expect(
        newPasswordProblems({ username: 'zhang.san', currentPassword: '', newPassword }),
      ).toEqual([])
    }
  })

  it('are 20 characters in four groups, without look-alike characters, each one new', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 200; i++) {
      const password = newOneTimePassword()
      expect(password).toMatch(/^[a-km-zA-HJ-NP-Z2-9]{5}(-[a-km-zA-HJ-NP-Z2-9]{5}){3}$/)
      expect(password).not.toMatch(/[01lIoO]/)
      seen.add(password)
    }
    expect(seen.size).toBe(200)
  })
})
