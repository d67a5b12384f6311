import type { Generated } from 'kysely'
import type { DefaultTimestamp, Timestamp } from './columns.ts'

/** An app registered to use Open311 GeoReport v2 (migration 2026-12-08T0950). */
export interface Open311ClientTable {
  id: Generated<string>
  /** 应用名称 */
  name: string
  piiKeyId: string
  /** 联系人和联系方式, sealed with aad `open311_clients:<key prefix>:contact`. */
  contactSealed: Buffer
  /** HMAC-SHA256 of the api_key with PII_HASH_KEY; the key itself is shown once, never stored. */
  keyHash: Buffer
  /** The key's first characters, so the console and the app can tell keys apart. */
  keyPrefix: string
  createdBy: string
  createdAt: DefaultTimestamp
  revokedAt: Timestamp | null
  revokedBy: string | null
}

/** A complaint filed through Open311, and the app that filed it. */
export interface Open311RequestTable {
  complaintId: string
  clientId: string
  createdAt: DefaultTimestamp
}
