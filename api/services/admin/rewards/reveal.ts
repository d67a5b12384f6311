import { rewardCase } from '../../../../db/queries/rewards.ts'
import type { ServiceContext } from '../../../deps.ts'
import { ApiError } from '../../../errors.ts'
import { openPayee, type RewardPayee } from '../../../privacy/reward-payee.ts'
import type { SignedInOperator } from '../access.ts'
import { recordAudit } from '../audit.ts'
import { assertCaseVisible, checkedId } from '../cases/scope.ts'

/**
 * The reporter's receiving details in full, for the handler who makes the transfer (PIPL: shown
 * only on an explicit request, never to a viewer, every reveal in the audit log, which records
 * that it happened and not what was shown).
 */
export async function revealPayee({
  ctx,
  operator,
  input,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  input: { id: string; clientAddress: string }
}): Promise<RewardPayee> {
  const found = await rewardCase(ctx.db, checkedId(input.id), false)
  assertCaseVisible(operator, found)
  const reward = found.reward
  if (!reward?.payeeSealed || !reward.payeeKeyId) {
    throw new ApiError(
      'CONFLICT',
      '这笔奖励没有收款信息：举报人尚未确认领取方式、选择了现场领取，或个人信息已删除。',
    )
  }
  const payee = openPayee(ctx.privacy.ring, {
    trackingNo: found.trackingNo,
    payeeSealed: reward.payeeSealed,
    payeeKeyId: reward.payeeKeyId,
  })
  await recordAudit(ctx.db, {
    operator,
    action: 'reward.payee_revealed',
    complaintId: found.id,
    clientAddress: input.clientAddress,
  })
  return payee
}
