import type { DefaultTimestamp, Timestamp } from './columns.ts'

/** A complaint filed under an Idempotency-Key: a repeat gets the first answer back. */
export interface IdempotencyKeyTable {
  scope: string
  key: string
  requestHash: Buffer
  complaintId: string
  piiKeyId: string
  responseSealed: Buffer
  createdAt: DefaultTimestamp
}

/** Requests counted per bucket and time window, for the rate limits (api/services/limits/). */
export interface RateLimitHitTable {
  bucket: string
  windowStart: Timestamp
  hits: number
}
