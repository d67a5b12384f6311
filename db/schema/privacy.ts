import type { DefaultTimestamp } from './columns.ts'

/**
 * A personal-data key some process started with (migration 2026-12-09T0900): its id and a
 * fingerprint of it, never the key. `kind` `hash` is PII_HASH_KEY, under the id `hash`.
 */
export interface PiiKeyFingerprintTable {
  kind: 'seal' | 'hash'
  keyId: string
  /** HMAC-SHA256 of a fixed text under the key; null for an id found in data before it existed. */
  fingerprint: Buffer | null
  recordedAt: DefaultTimestamp
}
