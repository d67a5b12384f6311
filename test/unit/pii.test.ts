import { createSecretKey, randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, statSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { inspect } from 'node:util'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { loadOrCreateDevPiiSecrets } from '../../api/privacy/dev-keys.ts'
import { normalizePhone } from '../../api/domain/masks.ts'
import {
  decryptField,
  encryptField,
  parseHashKey,
  parsePiiKeys,
  phoneHash,
} from '../../api/privacy/pii.ts'

const key = () => randomBytes(32).toString('base64')
const aad = 'complaints:JL20261127-00001:phone'

describe('sealing personal data', () => {
  const ring = parsePiiKeys(`k1:${key()}`)

  it('opens what it sealed', () => {
    const { keyId, sealed } = encryptField(ring, '13812345678', aad)
    expect(keyId).toBe('k1')
    expect(decryptField(ring, keyId, sealed, aad)).toBe('13812345678')
    expect(decryptField(ring, keyId, encryptField(ring, '', aad).sealed, aad)).toBe('')
    expect(decryptField(ring, keyId, encryptField(ring, '欧阳娜娜', aad).sealed, aad)).toBe(
      '欧阳娜娜',
    )
  })

  it('uses a fresh IV, so sealing the same value twice gives different bytes', () => {
    const a = encryptField(ring, '13812345678', aad).sealed
    const b = encryptField(ring, '13812345678', aad).sealed
    expect(a.subarray(0, 12).equals(b.subarray(0, 12))).toBe(false)
    expect(a.equals(b)).toBe(false)
    expect(a.length).toBe(12 + 16 + 11)
  })

  it('never repeats an IV across many seals (several refills of its pool of random bytes)', () => {
    const sealed = Array.from({ length: 2_000 }, () => encryptField(ring, '王小明', aad).sealed)
    const ivs = new Set(sealed.map((s) => s.subarray(0, 12).toString('hex')))
    expect(ivs.size).toBe(2_000)
    // Each sealed value kept its own IV: later seals did not overwrite earlier ones.
    for (const s of sealed.slice(0, 50))
      expect(decryptField(ring, ring.currentId, s, aad)).toBe('王小明')
  })

  it('refuses a sealed value with one byte changed, wherever it is', () => {
    const { sealed } = encryptField(ring, '13812345678', aad)
    for (const at of [0, 12, 28, sealed.length - 1]) {
      const tampered = Buffer.from(sealed)
      tampered[at]! ^= 0x01
      expect(() => decryptField(ring, 'k1', tampered, aad)).toThrow(/failed authentication/)
    }
    expect(() => decryptField(ring, 'k1', sealed.subarray(0, 20), aad)).toThrow(/too short/)
  })

  it('refuses a value moved to another row or field', () => {
    const { sealed } = encryptField(ring, '13812345678', aad)
    expect(() => decryptField(ring, 'k1', sealed, 'complaints:JL20261127-00002:phone')).toThrow(
      /failed authentication/,
    )
    expect(() => decryptField(ring, 'k1', sealed, 'complaints:JL20261127-00001:name')).toThrow(
      /failed authentication/,
    )
  })

  it('refuses an unknown key id, and the same id with other key bytes', () => {
    const { sealed } = encryptField(ring, '13812345678', aad)
    expect(() => decryptField(ring, 'k9', sealed, aad)).toThrow(/"k9" is not in the keyring/)
    const impostor = parsePiiKeys(`k1:${key()}`)
    expect(() => decryptField(impostor, 'k1', sealed, aad)).toThrow(/failed authentication/)
  })

  it('refuses an empty aad, which would bind the value to nothing', () => {
    expect(() => encryptField(ring, 'x', '')).toThrow(/aad/)
  })

  it('keeps opening old data after a rotation and seals new data with the new key', () => {
    const oldKey = key()
    const before = parsePiiKeys(`2026a:${oldKey}`)
    const old = encryptField(before, '张三', 'complaints:JL1:name')
    const after = parsePiiKeys(`2026b:${key()}  2026a:${oldKey}`)
    expect(after.currentId).toBe('2026b')
    expect(after.ids).toEqual(['2026b', '2026a'])
    expect(decryptField(after, old.keyId, old.sealed, 'complaints:JL1:name')).toBe('张三')
    const fresh = encryptField(after, '李四', 'complaints:JL2:name')
    expect(fresh.keyId).toBe('2026b')
    expect(() => decryptField(before, fresh.keyId, fresh.sealed, 'complaints:JL2:name')).toThrow()
  })

  it('shows key ids, never key bytes, when a ring is logged', () => {
    const secret = key()
    const logged = parsePiiKeys(`k1:${secret}`)
    expect(JSON.stringify(logged)).not.toContain(secret.slice(0, 12))
    expect(inspect(logged, { depth: 5, showHidden: true })).not.toContain(secret.slice(0, 12))
    expect(JSON.parse(JSON.stringify(logged))).toEqual({ currentId: 'k1', ids: ['k1'] })
  })
})

describe('parsePiiKeys', () => {
  it('refuses a spec that is empty, malformed, or has a key of the wrong size', () => {
    expect(() => parsePiiKeys('   ')).toThrow(/at least one "id:base64key" pair/)
    expect(() => parsePiiKeys(key())).toThrow(/pair 1: expected "id:base64key", found no ":"/)
    expect(() => parsePiiKeys(`bad.id:${key()}`)).toThrow(/pair 1: key id must be 1–32/)
    expect(() => parsePiiKeys(`:${key()}`)).toThrow(/pair 1: key id/)
    expect(() => parsePiiKeys(`${'a'.repeat(33)}:${key()}`)).toThrow(/key id must be 1–32/)
    expect(() => parsePiiKeys(`a:${key()} a:${key()}`)).toThrow(
      /pair 2: key id "a" is listed twice/,
    )
    expect(() => parsePiiKeys('a:not*base64')).toThrow(/key "a": not valid base64/)
    const short = randomBytes(16).toString('base64')
    expect(() => parsePiiKeys(`a:${short}`)).toThrow(/key "a": decodes to 16 bytes/)
  })

  it('never repeats key material in its errors', () => {
    const long = randomBytes(48).toString('base64')
    expect(() => parsePiiKeys(`a:${long}`)).toThrow(/48 bytes/)
    try {
      parsePiiKeys(`a:${long}`)
    } catch (error) {
      expect((error as Error).message).not.toContain(long.slice(0, 8))
    }
  })
})

describe('parseHashKey', () => {
  it('accepts 32 bytes or more and refuses less or bad base64', () => {
    expect(parseHashKey(randomBytes(32).toString('base64')).symmetricKeySize).toBe(32)
    expect(parseHashKey(randomBytes(64).toString('base64')).symmetricKeySize).toBe(64)
    expect(() => parseHashKey(randomBytes(31).toString('base64'))).toThrow(/31 bytes, at least 32/)
    expect(() => parseHashKey('abc$')).toThrow(/not valid base64/)
  })
})

describe('phone hashing', () => {
  const hashKey = createSecretKey(randomBytes(32))

  it('normalizes spacing, dashes, full-width digits and the country code away', () => {
    expect(normalizePhone('138 1234 5678')).toBe('13812345678')
    expect(normalizePhone('+86 138-1234-5678')).toBe('13812345678')
    expect(normalizePhone('0086 13812345678')).toBe('13812345678')
    expect(normalizePhone('１３８１２３４５６７８')).toBe('13812345678')
    expect(normalizePhone('0578-2123456')).toBe('05782123456')
    expect(normalizePhone('(0578) 2123456')).toBe('05782123456')
    expect(normalizePhone('+86 578 2123456')).toBe('05782123456')
    expect(normalizePhone('+86 10 12345678')).toBe('01012345678')
  })

  it('gives one hash for every spelling of a number', () => {
    const expected = phoneHash(hashKey, '13812345678')
    expect(expected).toHaveLength(32)
    for (const spelling of ['138 1234 5678', '+86 138-1234-5678', '008613812345678']) {
      expect(phoneHash(hashKey, spelling).equals(expected)).toBe(true)
    }
  })

  it('gives different hashes for different numbers and different keys', () => {
    const a = phoneHash(hashKey, '13812345678')
    expect(a.equals(phoneHash(hashKey, '13812345679'))).toBe(false)
    expect(a.equals(phoneHash(createSecretKey(randomBytes(32)), '13812345678'))).toBe(false)
  })

  it('refuses a hash key shorter than 32 bytes', () => {
    expect(() => phoneHash(createSecretKey(randomBytes(16)), '13812345678')).toThrow(/32 bytes/)
  })
})

describe('loadOrCreateDevPiiSecrets', () => {
  it('creates the keys once, in a private file, and reuses them afterwards', () => {
    const log = vi.spyOn(console, 'log')
    const dataDir = mkdtempSync(path.join(tmpdir(), 'pii-dev-'))
    onTestFinished(() => rmSync(dataDir, { recursive: true, force: true }))
    const first = loadOrCreateDevPiiSecrets(dataDir)
    expect(first.created).toBe(true)
    expect(first.piiKeys).toMatch(/^dev-\d{8}:/)
    expect(parsePiiKeys(first.piiKeys).currentId).toMatch(/^dev-\d{8}$/)
    expect(parseHashKey(first.hashKey).symmetricKeySize).toBe(32)

    const file = path.join(dataDir, 'secrets', 'pii.json')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700)

    const second = loadOrCreateDevPiiSecrets(dataDir)
    expect(second).toEqual({ ...first, created: false })
    expect(readFileSync(file, 'utf8')).toContain(first.hashKey)
    expect(log).not.toHaveBeenCalled()
    log.mockRestore()
  })

  it('refuses a damaged secrets file instead of replacing it', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'pii-dev-'))
    onTestFinished(() => rmSync(dataDir, { recursive: true, force: true }))
    loadOrCreateDevPiiSecrets(dataDir)
    const file = path.join(dataDir, 'secrets', 'pii.json')
    writeFileSync(file, '{"piiKeys": "x", "hashKey": "y"}')
    expect(() => loadOrCreateDevPiiSecrets(dataDir)).toThrow(
      /pii\.json is not a valid secrets file/,
    )
    expect(readFileSync(file, 'utf8')).toBe('{"piiKeys": "x", "hashKey": "y"}')
  })
})
