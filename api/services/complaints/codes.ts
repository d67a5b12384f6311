import { createHmac, randomInt, timingSafeEqual, type KeyObject } from 'node:crypto'

/** No 0/O, 1/I/L: a code read out over the phone is not misheard. */
const queryCodeAlphabet = '23456789ABCDEFGHJKMNPQRSTUVWXYZ'
const queryCodeLength = 8

/** 受理编号: the day of receipt (Shanghai) and a number that is never reused. */
export function formatTrackingNo(shanghaiDate: string, sequence: string): string {
  return `JL${shanghaiDate.replaceAll('-', '')}-${sequence.padStart(5, '0')}`
}

export const trackingNoPattern = /^JL\d{8}-\d{5,}$/

export function normalizeTrackingNo(raw: string): string {
  return raw.trim().toUpperCase().replace(/\s+/g, '')
}

/** A fresh secret query code (查询码), about 40 bits, shown as XXXX-XXXX. */
export function newQueryCode(): string {
  let code = ''
  for (let i = 0; i < queryCodeLength; i++)
    code += queryCodeAlphabet.charAt(randomInt(queryCodeAlphabet.length))
  return `${code.slice(0, 4)}-${code.slice(4)}`
}

export function normalizeQueryCode(raw: string): string {
  return raw.toUpperCase().replace(/[^0-9A-Z]/g, '')
}

/**
 * Keyed hash of a query code, bound to its tracking number. The key lives outside the database,
 * so a copy of the database alone does not let anyone test codes offline.
 */
export function queryCodeHash(hashKey: KeyObject, trackingNo: string, queryCode: string): Buffer {
  return createHmac('sha256', hashKey)
    .update(`query-code:${trackingNo}:${normalizeQueryCode(queryCode)}`)
    .digest()
}

export function queryCodeMatches(
  hashKey: KeyObject,
  trackingNo: string,
  queryCode: string,
  stored: Buffer,
): boolean {
  const candidate = queryCodeHash(hashKey, trackingNo, queryCode)
  return candidate.length === stored.length && timingSafeEqual(candidate, stored)
}
