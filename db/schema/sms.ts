import type { ColumnType, Generated } from 'kysely'
import type { SmsEvent, SmsPriority, SmsState } from '../../api/domain/sms.ts'

/** One text message to a resident (migration 2026-12-08T0900): a queue row, kept once sent. */
export interface SmsMessageTable {
  id: Generated<string>
  complaintId: string
  /** `complaint:<id>:<event>`: an event handled again adds nothing. */
  messageKey: string
  event: SmsEvent
  /** Messages of one group go out one at a time, oldest first. */
  inOrderOf: string
  priority: Generated<SmsPriority>
  /** The provider's template (Alibaba's TemplateCode). */
  templateCode: string
  /** The template's parameters: the tracking number and the page. */
  params: ColumnType<Record<string, string>, string, string>
  /** The text as sent (signature excluded). */
  body: string
  /** The Standard Webhooks message id, and the provider's OutId. */
  messageId: string
  state: Generated<SmsState>
  attempts: Generated<number>
  nextAttemptAt: Generated<Date>
  lastAttemptAt: Date | null
  lastStatus: number | null
  lastError: string | null
  providerId: string | null
  sentAt: Date | null
  createdAt: Generated<Date>
  /** A recovery code's message is given up once its code has expired. */
  expiresAt: Date | null
}

/** A code that recovers a lost query code (migration 2026-12-08T0910): its keyed hash only. */
export interface QueryCodeRecoveryTable {
  id: Generated<string>
  complaintId: string
  codeHash: Buffer
  expiresAt: Date
  tries: Generated<number>
  usedAt: Date | null
  createdAt: Generated<Date>
}
