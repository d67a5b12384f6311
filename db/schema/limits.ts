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

/** A complaint being filled in step by step (issue 23): its answers sealed, until it expires. */
export interface ComplaintDraftTable {
  /** SHA-256 of the token the resident's browser holds; the token itself is never stored. */
  tokenHash: Buffer
  piiKeyId: string
  /** The answers as JSON, sealed with aad `complaint_drafts:<token hash hex>`. */
  answersSealed: Buffer
  createdAt: DefaultTimestamp
  updatedAt: DefaultTimestamp
  expiresAt: Timestamp
}

/** A photo chosen at a draft's photo step, stored stripped until the complaint is filed. */
export interface ComplaintDraftPhotoTable {
  storageKey: string
  draftTokenHash: Buffer
  createdAt: DefaultTimestamp
}
