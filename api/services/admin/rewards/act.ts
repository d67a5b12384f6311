import type { Updateable } from 'kysely'
import type { ReporterRewardTable } from '../../../../db/database.ts'
import { addCaseEvents } from '../../../../db/queries/cases.ts'
import {
  insertReward,
  lockRewardCase,
  updateRewardAtVersion,
  type LockedRewardCase,
} from '../../../../db/queries/rewards.ts'
import type { ServiceContext } from '../../../deps.ts'
import { beijingDate } from '../../../domain/beijing-time.ts'
import {
  claimDeadlineOf,
  mayTakeStep,
  proposalRefusal,
  stepRefusal,
} from '../../../domain/rewards.ts'
import { ApiError } from '../../../errors.ts'
import { enqueueResidentSms } from '../../sms/enqueue.ts'
import type { SignedInOperator } from '../access.ts'
import { recordAudit } from '../audit.ts'
import { assertCaseVisible, checkedId } from '../cases/scope.ts'
import { decideRefusal, mayDecideRewards } from './access.ts'
import { getCaseReward } from './read.ts'
import type { CaseReward, RewardActionInput } from './schemas.ts'

export const staleRewardMessage =
  '这笔举报奖励在您打开页面后已被他人处理，本次操作没有保存。请查看最新状态后再操作。'

const stale = () => new ApiError('CONFLICT', staleRewardMessage, { reason: 'stale_version' })

function refusePaidOn(message: string): never {
  throw new ApiError('VALIDATION_FAILED', message, [{ field: 'paidOn', message }])
}

/** The last day of a claim period, as the reporter's page and the timeline say it. */
const lastClaimDay = (deadline: Date) => beijingDate(new Date(deadline.getTime() - 1))

/**
 * What a step writes on the reward, and the timeline entry it leaves. The reporter reads only
 * the approval and the payment (public entries), never an amount: the tracking page shows that
 * from the reward itself, to the holder of the query code.
 */
function stepOf(
  act: RewardActionInput,
  found: LockedRewardCase,
  operator: SignedInOperator,
  at: Date,
): {
  changes: Updateable<ReporterRewardTable>
  event: { kind: string; isPublic: boolean; note: string }
} {
  switch (act.action) {
    case 'propose':
      return {
        changes: {
          state: 'proposed',
          amountFen: act.amount,
          rule: act.rule,
          ruleNote: act.note ?? '',
          proposedBy: operator.id,
          proposedAt: at,
          decidedBy: null,
          decidedAt: null,
          refusalReason: null,
        },
        event: { kind: 'reward_proposed', isPublic: false, note: '提出举报奖励，报市局审批。' },
      }
    case 'approve': {
      const claimDeadline = claimDeadlineOf(at)
      return {
        changes: { state: 'approved', decidedBy: operator.id, decidedAt: at, claimDeadline },
        event: {
          kind: 'reward_approved',
          isPublic: true,
          note: `经审核，决定给予您举报奖励。请在 ${lastClaimDay(claimDeadline)} 前在本页确认领取方式，逾期未确认的视为放弃。`,
        },
      }
    }
    case 'refuse':
      return {
        changes: {
          state: 'refused',
          decidedBy: operator.id,
          decidedAt: at,
          refusalReason: act.reason,
        },
        event: { kind: 'reward_refused', isPublic: false, note: `举报奖励未予批准：${act.reason}` },
      }
    case 'record_payment': {
      const today = beijingDate(at)
      if (act.paidOn > today)
        refusePaidOn(`发放日期不能晚于今天（${today}），请填写实际发放的日期。`)
      const claimedOn = found.reward?.claimedAt ? beijingDate(found.reward.claimedAt) : today
      if (act.paidOn < claimedOn) {
        refusePaidOn(`发放日期不能早于举报人确认领取方式的日期（${claimedOn}）。`)
      }
      return {
        changes: {
          state: 'paid',
          paidOn: act.paidOn,
          paymentMethod: act.method,
          paymentReference: act.reference,
          paidBy: operator.id,
          paidRecordedAt: at,
        },
        event: { kind: 'reward_paid', isPublic: true, note: `举报奖励已于 ${act.paidOn} 发放。` },
      }
    }
  }
}

/**
 * One step on a case's 举报奖励 (POST /api/admin/cases/:id/reward and the case page), all in one
 * transaction with its timeline entry and audit entry `reward.<step>`:
 * - propose (a handler of the case's county, or a city administrator): a 举报 handled, 查实 or
 *   部分查实, that led to a penalty; once, or again after a refusal;
 * - approve or refuse with a reason (city administrators only: 403 for anyone else); an approval
 *   fixes the claim deadline and tells the reporter by SMS if they asked for messages;
 * - record_payment (date, method, reference) once the reporter confirmed how to receive it.
 * The version read must still be current (0 before any proposal), else 409 and nothing changes.
 * Logs name the case and the step, never an amount.
 */
export async function actOnReward({
  ctx,
  operator,
  input,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  input: { id: string; act: RewardActionInput; clientAddress: string }
}): Promise<CaseReward> {
  const { act } = input
  await ctx.db.transaction().execute(async (trx) => {
    const found = await lockRewardCase(trx, checkedId(input.id))
    assertCaseVisible(operator, found)
    // Who may act comes first, then whether they saw the current version, then the state.
    const deciding = act.action === 'approve' || act.action === 'refuse'
    if (deciding && !mayDecideRewards(operator)) throw new ApiError('FORBIDDEN', decideRefusal)
    const reward = found.reward
    const state = reward?.state ?? null
    if ((reward?.version ?? 0) !== act.version) throw stale()
    if (!mayTakeStep(act.action, state)) {
      throw new ApiError('CONFLICT', stepRefusal(act.action, state), { state })
    }
    if (act.action === 'propose') {
      const refusal = proposalRefusal(found)
      if (refusal) throw new ApiError('CONFLICT', refusal, { reason: 'not_eligible' })
    }
    const at = new Date()
    const { changes, event } = stepOf(act, found, operator, at)
    if (!reward) {
      if (act.action !== 'propose') throw stale()
      await insertReward(trx, {
        complaintId: found.id,
        amountFen: act.amount,
        rule: act.rule,
        ruleNote: act.note ?? '',
        proposedBy: operator.id,
        proposedAt: at,
      })
    } else if (!(await updateRewardAtVersion(trx, reward.id, reward.version, changes))) {
      throw stale()
    }
    await addCaseEvents(trx, [
      { ...event, complaintId: found.id, actor: operator.username, occurredAt: at },
    ])
    await recordAudit(trx, {
      operator,
      action: `reward.${act.action}`,
      complaintId: found.id,
      clientAddress: input.clientAddress,
      // The audit log is the bureau's own record of who set and approved which amount.
      detail: {
        from: state,
        to: changes.state,
        version: act.version + 1,
        ...(act.action === 'propose' ? { amountFen: act.amount, rule: act.rule } : {}),
        ...(act.action === 'record_payment'
          ? { paidOn: act.paidOn, method: act.method, reference: act.reference }
          : {}),
      },
    })
    if (act.action === 'approve') {
      await enqueueResidentSms(trx, { complaintId: found.id, event: 'reward_granted' })
    }
  })
  ctx.logger.info({ complaintId: input.id, step: act.action }, 'reporter reward step taken')
  return getCaseReward({ ctx, operator, input: { id: input.id } })
}
