import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * TOTP (RFC 6238) as every authenticator app does it by default: HMAC-SHA-1, 6 digits, 30-second
 * steps, the secret shown in base32 (RFC 4648). Codes one step early or late are accepted, for
 * phones whose clocks drift.
 */
const totpStepSeconds = 30
const totpDigits = 6
const acceptedDrift = 1

const base32Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

export function base32Encode(bytes: Uint8Array): string {
  let bits = 0
  let value = 0
  let out = ''
  for (const byte of bytes) {
    value = (value << 8) | byte
    bits += 8
    while (bits >= 5) {
      out += base32Alphabet.charAt((value >>> (bits - 5)) & 31)
      bits -= 5
    }
  }
  if (bits > 0) out += base32Alphabet.charAt((value << (5 - bits)) & 31)
  return out
}

export function base32Decode(text: string): Buffer {
  const clean = text.toUpperCase().replace(/[\s=-]/g, '')
  const bytes: number[] = []
  let bits = 0
  let value = 0
  for (const char of clean) {
    const index = base32Alphabet.indexOf(char)
    if (index < 0) throw new Error(`not a base32 character: ${char}`)
    value = ((value << 5) | index) & 0xffff
    bits += 5
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff)
      bits -= 8
    }
  }
  return Buffer.from(bytes)
}

/** A new secret: 20 random bytes (160 bits, RFC 4226's recommendation), in base32. */
export const newTotpSecret = () => base32Encode(randomBytes(20))

/** `ABCD EFGH …`: groups of four, for typing the secret into an app by hand. */
export const groupedForTyping = (secret: string) => secret.match(/.{1,4}/g)?.join(' ') ?? ''

export const totpStepAt = (now: Date) => Math.floor(now.getTime() / 1000 / totpStepSeconds)

/** The code for one time step (RFC 4226 section 5.3: dynamic truncation). */
export function totpCode(key: Buffer, step: number, digits = totpDigits): string {
  const counter = Buffer.alloc(8)
  counter.writeBigUInt64BE(BigInt(step))
  const mac = createHmac('sha1', key).update(counter).digest()
  const offset = mac[mac.length - 1]! & 0x0f
  const binary = mac.readUInt32BE(offset) & 0x7fffffff
  return String(binary % 10 ** digits).padStart(digits, '0')
}

/** The time step a code belongs to (now, one before or one after), or null when it matches none. */
export function matchingTotpStep(secret: string, code: string, now: Date): number | null {
  if (!/^\d{6}$/.test(code)) return null
  const key = base32Decode(secret)
  const current = totpStepAt(now)
  for (let drift = -acceptedDrift; drift <= acceptedDrift; drift++) {
    const expected = Buffer.from(totpCode(key, current + drift))
    if (timingSafeEqual(expected, Buffer.from(code))) return current + drift
  }
  return null
}

/** The otpauth:// URI authenticator apps read (Google Authenticator's Key Uri Format). */
export function otpauthUri(secret: string, username: string): string {
  const issuer = '丽水诚信计量后台'
  const label = encodeURIComponent(`${issuer}:${username}`)
  const params = new URLSearchParams({
    secret,
    issuer,
    algorithm: 'SHA1',
    digits: String(totpDigits),
    period: String(totpStepSeconds),
  })
  return `otpauth://totp/${label}?${params.toString()}`
}
