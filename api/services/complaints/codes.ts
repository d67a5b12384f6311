import { createHmac, randomInt, timingSafeEqual, type KeyObject } from 'node:crypto'
import {
  normalizeQueryCode,
  queryCodeAlphabet,
  queryCodeLength,
} from '../../domain/tracking-codes.ts'

/**
 * 受理编号: `JL`, the day of receipt (Shanghai) and 8 random digits in two groups of four, e.g.
 * JL20261206-4827-3915. Random, so that numbers neither tell how many complaints a day brings nor
 * lead from one resident's case to the next; digits, so that they are read out over the phone
 * without spelling. Two complaints of a day may draw the same digits (at 1,000 a day, about once
 * in 200 days): the database's unique key refuses the second, which is filed again under a new
 * number (file_complaints, 2026-12-06T0900-random-tracking-numbers.ts).
 */
export function newTrackingNo(shanghaiDate: string): string {
  const digits = String(randomInt(100_000_000)).padStart(8, '0')
  return `JL${shanghaiDate.replaceAll('-', '')}-${digits.slice(0, 4)}-${digits.slice(4)}`
}

/** A fresh secret query code (查询码), about 40 bits, shown as XXXX-XXXX. */
export function newQueryCode(): string {
  let code = ''
  for (let i = 0; i < queryCodeLength; i++)
    code += queryCodeAlphabet.charAt(randomInt(queryCodeAlphabet.length))
  return `${code.slice(0, 4)}-${code.slice(4)}`
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
