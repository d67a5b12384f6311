import {
  listRewards,
  rewardCase,
  rewardOfCase,
  type RewardRow,
} from '../../../../db/queries/rewards.ts'
import type { ServiceContext } from '../../../deps.ts'
import { beijingDate } from '../../../domain/beijing-time.ts'
import {
  claimExpired,
  fenToYuan,
  mayTakeStep,
  proposalRefusal,
  rewardRuleLabels,
  rewardStateLabels,
  type RewardState,
} from '../../../domain/rewards.ts'
import { maskPayee, openPayee } from '../../../privacy/reward-payee.ts'
import { seesEveryCounty, type SignedInOperator } from '../access.ts'
import { assertCaseVisible, checkedId, queueCounty } from '../cases/scope.ts'
import { mayDecideRewards, mayWriteRewards } from './access.ts'
import {
  rewardPageSize,
  type CaseReward,
  type RewardList,
  type RewardListQuery,
  type RewardView,
} from './schemas.ts'

const iso = (at: Date | null) => (at === null ? null : at.toISOString())

/** A state as the console names it: an approval whose period ran out says so. */
function stateName(state: RewardState, expired: boolean) {
  return expired ? '已过领取期限，举报人未确认领取方式' : rewardStateLabels[state]
}

function rewardView(ctx: ServiceContext, trackingNo: string, r: RewardRow, now: Date): RewardView {
  const expired = claimExpired(r, now)
  const payee =
    r.payeeSealed && r.payeeKeyId
      ? maskPayee(
          openPayee(ctx.privacy.ring, {
            trackingNo,
            payeeSealed: r.payeeSealed,
            payeeKeyId: r.payeeKeyId,
          }),
        )
      : null
  return {
    state: r.state,
    stateName: stateName(r.state, expired),
    expired,
    amount: fenToYuan(r.amountFen),
    rule: r.rule,
    ruleName: rewardRuleLabels[r.rule],
    note: r.ruleNote,
    proposedBy: r.proposedByName,
    proposedAt: r.proposedAt.toISOString(),
    decidedBy: r.decidedByName,
    decidedAt: iso(r.decidedAt),
    refusalReason: r.refusalReason,
    claimDeadline: iso(r.claimDeadline),
    claimedAt: iso(r.claimedAt),
    claimMethod: r.claimMethod,
    payee,
    paidOn: r.paidOn,
    paymentMethod: r.paymentMethod,
    paymentReference: r.paymentReference,
    paidBy: r.paidByName,
    version: r.version,
  }
}

/**
 * 举报奖励 on one case, as the case page and GET /api/admin/cases/:id/reward show it: the reward
 * (amount, rule, each step, the receiving details masked) and the steps this operator may take.
 * A case outside the operator's county answers as one that does not exist.
 */
export async function getCaseReward({
  ctx,
  operator,
  input,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  input: { id: string }
}): Promise<CaseReward> {
  const found = await rewardCase(ctx.db, checkedId(input.id), false)
  assertCaseVisible(operator, found)
  const row = found.reward ? await rewardOfCase(ctx.db, found.id) : undefined
  const state = row?.state ?? null
  const ineligibleReason = proposalRefusal(found)
  const writer = mayWriteRewards(operator)
  return {
    complaintId: found.id,
    trackingNo: found.trackingNo,
    kind: found.kind,
    ineligibleReason,
    reward: row ? rewardView(ctx, found.trackingNo, row, new Date()) : null,
    mayPropose: writer && ineligibleReason === null && mayTakeStep('propose', state),
    mayDecide: mayDecideRewards(operator) && mayTakeStep('approve', state),
    mayRecordPayment: writer && mayTakeStep('record_payment', state),
  }
}

/**
 * 举报奖励 list (/admin/rewards): the rewards of the operator's county (a city-level operator:
 * every county, or the one chosen), those waiting for someone first.
 */
export async function listRewardsForConsole({
  ctx,
  operator,
  input,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  input: RewardListQuery
}): Promise<RewardList> {
  const countyCode = queueCounty(operator, input.county)
  const { items, total } = await listRewards(ctx.db, {
    countyCode: seesEveryCounty(operator) ? (countyCode ?? null) : operator.countyCode,
    state: input.state ?? null,
    limit: rewardPageSize,
    offset: (input.page - 1) * rewardPageSize,
  })
  const now = new Date()
  return {
    items: items.map((r) => {
      const expired = claimExpired(r, now)
      return {
        complaintId: r.complaintId,
        trackingNo: r.trackingNo,
        countyName: r.countyName,
        state: r.state,
        stateName: stateName(r.state, expired),
        expired,
        amount: fenToYuan(r.amountFen),
        ruleName: rewardRuleLabels[r.rule],
        proposedAt: r.proposedAt.toISOString(),
        claimDeadline: r.claimDeadline
          ? beijingDate(new Date(r.claimDeadline.getTime() - 1))
          : null,
        paidOn: r.paidOn,
      }
    }),
    total,
    page: input.page,
    pageSize: rewardPageSize,
  }
}
