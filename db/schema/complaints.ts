import type { Generated, Insertable } from 'kysely'
import type { DefaultTimestamp, Numeric, Timestamp } from './columns.ts'

import type {
  ComplaintCategory,
  ComplaintChannel,
  ComplaintKind,
  ComplaintStatus,
  MediationResult,
  QuantityUnit,
  ResidentRating,
} from '../../api/domain/complaints.ts'
import type { CaseFinding, CaseFollowUp } from '../../api/domain/credit.ts'

// The vocabulary is written once, in api/domain/ (DESIGN.md: everything may import it).
export {
  complaintCategories,
  complaintChannels,
  complaintKinds,
  complaintStatuses,
  mediationResults,
  quantityUnits,
  type ComplaintCategory,
  type ComplaintChannel,
  type ComplaintKind,
  type ComplaintStatus,
  type MediationResult,
  type QuantityUnit,
  type ResidentRating,
} from '../../api/domain/complaints.ts'

/** A complaint (投诉) or report (举报) from a resident or the 12345 hotline. */
export interface ComplaintTable {
  id: Generated<string>
  /** 受理编号, e.g. JL20261206-4827-3915 (before December 2026: JL20261126-00042) */
  trackingNo: string
  /** HMAC of the secret query code (查询码); the code itself is never stored. */
  queryCodeHash: Buffer
  kind: ComplaintKind
  category: ComplaintCategory
  channel: Generated<ComplaintChannel>
  countyCode: string
  merchantName: string
  /** The credit code the resident typed, if any. */
  merchantUscc: string | null
  /** The certified business it names, when the code is in the directory. */
  enterpriseUscc: string | null
  address: string
  occurredAt: Timestamp
  description: string
  piiKeyId: string | null
  nameSealed: Buffer | null
  phoneSealed: Buffer | null
  /** Keyed hash of the normalised phone, for lookups and abuse limits. */
  phoneHash: Buffer | null
  /** The resident asked to be told of their case by SMS (issue 25). */
  smsUpdates: Generated<boolean>
  /** 满意 / 基本满意 / 不满意, given on the tracking page once the case was handled. */
  rating: ResidentRating | null
  /** The resident's comment on it: personal data, sealed under `ratingKeyId`. */
  ratingCommentSealed: Buffer | null
  ratingKeyId: string | null
  ratedAt: Timestamp | null
  /** 申请复核: when the resident contested the outcome (once). */
  reviewRequestedAt: Timestamp | null
  /** 合并办理: the case this one was merged into (status `merged`), handled once for both. */
  mergedInto: string | null
  mergedAt: Timestamp | null
  claimedQuantity: Numeric | null
  measuredQuantity: Numeric | null
  unit: QuantityUnit | null
  unitPrice: Numeric | null
  /** 短缺金额 in yuan, computed from the figures above. */
  shortfallAmount: Numeric | null
  status: Generated<ComplaintStatus>
  receivedAt: DefaultTimestamp
  /** The current legal deadline (DESIGN.md section 4). */
  dueAt: Timestamp
  version: Generated<number>
  /** 0 normal, 1 urged (催办), 2 supervised (督办) by the 12345 hotline: first in the queue. */
  priority: Generated<number>
  /** 受理时间 */
  acceptedAt: Timestamp | null
  /** 不予受理: a reason code from the console's list, and its explanation. */
  rejectionReason: string | null
  rejectionNote: string | null
  /** 调解结果 */
  mediationResult: MediationResult | null
  /** 办结: the handling result for the file, and the reply the citizen reads. */
  handlingResult: string | null
  publicReply: string | null
  resolvedAt: Timestamp | null
  closedAt: Timestamp | null
  /**
   * When the name, phone, free text and photos were removed, three years after the case ended
   * (api/services/admin/cases/retention.ts); null while they are kept.
   */
  personalDataErasedAt: Timestamp | null
  /** Who removed them: the retention sweep, or a city administrator at the resident's request. */
  personalDataErasure: PersonalDataErasure | null
  /**
   * Set while a city administrator holds the erasure (reconsideration, a lawsuit), with why:
   * nothing of the resident is removed until the hold is lifted.
   */
  erasureHeldAt: Timestamp | null
  erasureHoldNote: string | null
  /** 办结认定 at closure: only 查实/部分查实 put a closed case on the business's public record. */
  finding: CaseFinding | null
  /** What followed the case (a penalty it led to names it: penalties.complaint_id). */
  followUp: CaseFollowUp | null
  createdAt: DefaultTimestamp
  updatedAt: DefaultTimestamp
}

export type PersonalDataErasure = 'retention' | 'request'

/** One entry of a complaint's timeline. */
export interface ComplaintEventTable {
  id: Generated<string>
  complaintId: string
  kind: string
  isPublic: boolean
  note: string
  /** `citizen`, `system`, `hotline` or a handler's account. */
  actor: string
  occurredAt: DefaultTimestamp
}

export interface ComplaintPhotoTable {
  id: Generated<string>
  complaintId: string
  position: number
  storageKey: string
  contentType: string
  sizeBytes: number
  sha256: string
  originalName: string
}

export type NewComplaint = Insertable<ComplaintTable>
