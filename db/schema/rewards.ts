import type { Generated } from 'kysely'
import type { DateColumn, DefaultTimestamp, Timestamp } from './columns.ts'
import type { RewardMethod, RewardRule, RewardState } from '../../api/domain/rewards.ts'

export type { RewardState } from '../../api/domain/rewards.ts'

/** 举报奖励: one per 举报 (issue 25, item 5). */
export interface ReporterRewardTable {
  id: Generated<string>
  complaintId: string
  state: Generated<RewardState>
  /** 奖励金额 in fen; never public per case. */
  amountFen: number
  /** The rule weighed under, and how the amount was worked out. */
  rule: RewardRule
  ruleNote: Generated<string>
  proposedBy: string | null
  proposedAt: Timestamp
  /** 审批: who approved or refused, when, and why a refusal. */
  decidedBy: string | null
  decidedAt: Timestamp | null
  refusalReason: string | null
  /** The end of the claim period, fixed at approval. */
  claimDeadline: Timestamp | null
  /** The reporter's confirmation of how to receive it. */
  claimedAt: Timestamp | null
  claimMethod: RewardMethod | null
  /** Payee and account: personal data, sealed under `payeeKeyId`. */
  payeeSealed: Buffer | null
  payeeKeyId: string | null
  /** 发放: the date, how, and the transfer's or receipt's reference. */
  paidOn: DateColumn | null
  paymentMethod: RewardMethod | null
  paymentReference: string | null
  paidBy: string | null
  paidRecordedAt: Timestamp | null
  version: Generated<number>
  createdAt: DefaultTimestamp
  updatedAt: DefaultTimestamp
}
