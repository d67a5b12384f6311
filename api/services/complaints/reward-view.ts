import type { Kysely } from 'kysely'
import type { Database } from '../../../db/database.ts'
import { rewardOfReporter } from '../../../db/queries/rewards.ts'
import { beijingDate } from '../../domain/beijing-time.ts'
import {
  claimExpired,
  fenToYuan,
  mayClaim,
  rewardMethodLabels,
  rewardRuleLabels,
  type RewardMethod,
} from '../../domain/rewards.ts'

/** 举报奖励 as its reporter reads it on the tracking page: from the approval on. */
export interface ResidentReward {
  state: 'approved' | 'claimed' | 'paid'
  /** In the reporter's words: 已批准，请确认领取方式 / 已过领取期限 / 待发放 / 已发放. */
  stateName: string
  /** Yuan with two decimals: shown to the holder of the query code only. */
  amount: string
  ruleName: string
  mayClaim: boolean
  /** 已过领取期限: the period ended without a confirmation. */
  expired: boolean
  /** The last day (Beijing date) to confirm how to receive it. */
  claimUntil: string | null
  claimedAt: string | null
  claimMethod: RewardMethod | null
  claimMethodName: string | null
  paidOn: string | null
  paymentMethodName: string | null
  paymentReference: string | null
}

/** The reporter's view of the case's reward, or null before one is approved. */
export async function residentRewardOf(
  db: Kysely<Database>,
  complaintId: string,
  now: Date,
): Promise<ResidentReward | null> {
  const r = await rewardOfReporter(db, complaintId)
  if (!r || r.state === 'proposed' || r.state === 'refused') return null
  const expired = claimExpired(r, now)
  const stateName = expired
    ? '已过领取期限'
    : r.state === 'approved'
      ? '已批准，请确认领取方式'
      : r.state === 'claimed'
        ? '已确认领取方式，等待发放'
        : '已发放'
  return {
    state: r.state,
    stateName,
    amount: fenToYuan(r.amountFen),
    ruleName: rewardRuleLabels[r.rule],
    mayClaim: mayClaim(r, now),
    expired,
    claimUntil: r.claimDeadline ? beijingDate(new Date(r.claimDeadline.getTime() - 1)) : null,
    claimedAt: r.claimedAt?.toISOString() ?? null,
    claimMethod: r.claimMethod,
    claimMethodName: r.claimMethod ? rewardMethodLabels[r.claimMethod] : null,
    paidOn: r.paidOn,
    paymentMethodName: r.paymentMethod ? rewardMethodLabels[r.paymentMethod] : null,
    paymentReference: r.paymentReference,
  }
}
