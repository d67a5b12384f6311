import type { Kysely } from 'kysely'
import type { Database } from '../../../db/database.ts'
import { insertAuditEntry } from '../../../db/queries/audit-log.ts'
import type { SignedInOperator } from './access.ts'

/**
 * What the audit log records (append-only: the database refuses UPDATE and DELETE). Detail never
 * holds personal data: a reveal records that it happened, not what was shown.
 */
type AuditAction =
  | 'auth.sign_in'
  | 'auth.sign_in_failed'
  | 'auth.locked'
  | 'auth.sign_out'
  | 'auth.password_changed'
  | 'auth.totp_enabled'
  | 'operator.created'
  | 'operator.reset_password'
  | 'operator.disable'
  | 'operator.enable'
  | 'operator.unlock'
  | 'operator.reset_totp'
  | 'operator.change_scope'
  | 'case.viewed'
  | 'case.pii_revealed'
  | 'case.photo_viewed'
  /** By the retention sweep (api/services/admin/cases/retention.ts), as `system`. */
  | 'case.personal_data_erased'
  | `case.${string}`
  | 'hotline.callbacks_viewed'
  | 'hotline.callback_retried'
  | 'hotline.rejected_viewed'
  | 'hotline.rejected_retried'
  | `enterprise.${string}`
  /** A visit's record, correction, follow-up and photos (issue 22; visits/). */
  | `visit.${string}`
  /** Commitments, objections and corrections of a credit record (api/services/admin/records/). */
  | `credit.${string}`
  /** 专项检查: created, drawn, published (by a handler or the sweep), recusals (回避). */
  | `campaign.${string}`
  /** 行政处罚 entered, edited, and taken down by the hourly sweep (as `system`). */
  | 'penalty.created'
  | 'penalty.edited'
  | 'penalty.taken_down'
  /** Recipients of handler notices (issue 24): created, enabled, disabled. */
  | `notification.${string}`
  /** 预警 acknowledged, handled, dismissed; thresholds set and removed (issue 24; warnings/). */
  | `warning.${string}`
  /** 举报奖励: proposed, approved, refused, payment recorded (issue 25; rewards/). */
  | `reward.${string}`
  /** A monthly report downloaded (issue 24; reports/): its month and county, never its rows. */
  | 'report.downloaded'
  /** Open311 apps registered and their keys revoked (issue 27; open311/; no digits allowed). */
  | `api_client.${string}`

export interface AuditEntry {
  /** Who acted; null when nobody is signed in (a failed sign-in under an unknown name). */
  operator: Pick<SignedInOperator, 'id' | 'username'> | null
  /** The name tried, when `operator` is null. */
  username?: string
  action: AuditAction
  complaintId?: string
  enterpriseUscc?: string
  clientAddress?: string
  detail?: Record<string, unknown>
}

/** Appends one entry, inside the caller's transaction when it passes one. */
export async function recordAudit(db: Kysely<Database>, entry: AuditEntry): Promise<void> {
  await insertAuditEntry(db, {
    operatorId: entry.operator?.id ?? null,
    username: (entry.operator?.username ?? entry.username ?? '').slice(0, 100),
    action: entry.action,
    complaintId: entry.complaintId ?? null,
    enterpriseUscc: entry.enterpriseUscc ?? null,
    clientAddress: entry.clientAddress ?? '',
    detail: JSON.stringify(entry.detail ?? {}),
  })
}
