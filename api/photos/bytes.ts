import { malformed } from './errors.ts'

// Every read of untrusted bytes goes through these checks, so a lying length field ends in
// PhotoRejected rather than a RangeError or a read of zeros past the end.

function need(bytes: Uint8Array, at: number, count: number, what: string): void {
  if (!Number.isSafeInteger(at) || at < 0 || at + count > bytes.length) {
    throw malformed(`${what} at ${at} runs past the end`)
  }
}

export function u8(bytes: Uint8Array, at: number): number {
  need(bytes, at, 1, 'byte')
  return bytes[at]!
}

export function u16be(bytes: Uint8Array, at: number): number {
  need(bytes, at, 2, '16-bit field')
  return (bytes[at]! << 8) | bytes[at + 1]!
}

export function u32be(bytes: Uint8Array, at: number): number {
  need(bytes, at, 4, '32-bit field')
  return (
    ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0
  )
}

/** A 64-bit big-endian field; values beyond 2^53 cannot be a position in a file we hold. */
export function u64be(bytes: Uint8Array, at: number): number {
  const high = u32be(bytes, at)
  if (high >= 2 ** 21) throw malformed(`64-bit field at ${at} is beyond any file size`)
  return high * 2 ** 32 + u32be(bytes, at + 4)
}

export function u32le(bytes: Uint8Array, at: number): number {
  need(bytes, at, 4, '32-bit field')
  return (
    ((bytes[at + 3]! << 24) | (bytes[at + 2]! << 16) | (bytes[at + 1]! << 8) | bytes[at]!) >>> 0
  )
}

export function u24le(bytes: Uint8Array, at: number): number {
  need(bytes, at, 3, '24-bit field')
  return bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16)
}

export function u16le(bytes: Uint8Array, at: number): number {
  need(bytes, at, 2, '16-bit field')
  return bytes[at]! | (bytes[at + 1]! << 8)
}

/** Four bytes as a type code ("ftyp", "IHDR", "VP8 "); Latin-1 so every byte maps to one char. */
export function fourcc(bytes: Uint8Array, at: number): string {
  need(bytes, at, 4, 'type code')
  return String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!)
}

/** Whether `bytes` holds the ASCII text `prefix` at `at`; false (not an error) when too short. */
export function hasAscii(bytes: Uint8Array, at: number, prefix: string): boolean {
  if (at < 0 || at + prefix.length > bytes.length) return false
  for (let i = 0; i < prefix.length; i++) {
    if (bytes[at + i] !== prefix.charCodeAt(i)) return false
  }
  return true
}

/**
 * Output assembled piece by piece into one buffer: a file of a million tiny segments costs a
 * million copies, not a million arrays kept alive until the end.
 */
export class ByteWriter {
  private buffer: Uint8Array
  private length = 0

  /** `capacity`: the expected final size; the buffer grows if more is written. */
  constructor(capacity: number) {
    this.buffer = new Uint8Array(capacity)
  }

  write(bytes: Uint8Array): void {
    if (this.length + bytes.length > this.buffer.length) {
      const grown = new Uint8Array(Math.max(2 * this.buffer.length, this.length + bytes.length))
      grown.set(this.buffer.subarray(0, this.length))
      this.buffer = grown
    }
    this.buffer.set(bytes, this.length)
    this.length += bytes.length
  }

  result(): Uint8Array {
    return this.buffer.slice(0, this.length)
  }
}
