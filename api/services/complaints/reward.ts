import { addCaseEvents } from '../../../db/queries/cases.ts'
import { rewardOfReporter, storeRewardClaim } from '../../../db/queries/rewards.ts'
import type { ServiceContext } from '../../deps.ts'
import {
  claimExpired,
  mayClaim,
  rewardLimits,
  rewardMethodLabels,
  rewardMethods,
  type RewardMethod,
} from '../../domain/rewards.ts'
import { ApiError } from '../../errors.ts'
import { sealPayee, type RewardPayee } from '../../privacy/reward-payee.ts'
import { recordAudit } from '../admin/audit.ts'
import { complaintOfResident, trackedView, type TrackedComplaintView } from './track.ts'

export interface RewardClaimInput {
  trackingNo: string
  queryCode: string
  clientAddress: string
  /** bank_transfer 银行转账 or in_person 现场领取. */
  method: string
  payeeName?: string | undefined
  bankName?: string | undefined
  accountNo?: string | undefined
  /** Tests move the clock. */
  now?: Date
}

function refuseField(field: string, message: string): never {
  throw new ApiError('VALIDATION_FAILED', message, [{ field, message }])
}

/** The receiving details of a bank transfer, checked, or a refusal naming the field to fix. */
function payeeOf(input: RewardClaimInput): RewardPayee {
  const payeeName = (input.payeeName ?? '').trim()
  const bankName = (input.bankName ?? '').trim()
  const accountNo = (input.accountNo ?? '').replace(/[\s-]/g, '')
  const problems: { field: string; message: string }[] = []
  if (!payeeName)
    problems.push({ field: 'payeeName', message: '请填写收款人姓名（须为举报人本人）。' })
  else if (payeeName.length > rewardLimits.payeeNameChars) {
    problems.push({
      field: 'payeeName',
      message: `收款人姓名最多 ${rewardLimits.payeeNameChars} 个字。`,
    })
  }
  if (!bankName)
    problems.push({ field: 'bankName', message: '请填写开户银行，例如：中国农业银行丽水分行。' })
  else if (bankName.length > rewardLimits.bankNameChars) {
    problems.push({
      field: 'bankName',
      message: `开户银行最多 ${rewardLimits.bankNameChars} 个字。`,
    })
  }
  if (!/^\d{10,30}$/.test(accountNo)) {
    problems.push({
      field: 'accountNo',
      message: '银行账号应为 10 到 30 位数字，请对照银行卡或存折填写（可以带空格）。',
    })
  }
  if (problems.length > 0) {
    throw new ApiError('VALIDATION_FAILED', problems[0]!.message, problems)
  }
  return { payeeName, bankName, accountNo }
}

/**
 * 确认领取方式 (issue 25, item 5): the holder of the case's query code (an anonymous reporter
 * too) says how to receive an approved reward, once, before the claim deadline: by bank transfer
 * (payee, bank and account: personal data, sealed, masked on the console, erased with the rest,
 * never logged) or in person. After the deadline the reward can no longer be claimed.
 */
export async function claimReward({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: RewardClaimInput
}): Promise<TrackedComplaintView> {
  if (!(rewardMethods as readonly string[]).includes(input.method)) {
    refuseField('method', '请选择领取方式：银行转账或现场领取。')
  }
  const method = input.method as RewardMethod
  const payee = method === 'bank_transfer' ? payeeOf(input) : null
  const found = await complaintOfResident(ctx, input)
  const now = input.now ?? new Date()
  const reward = await rewardOfReporter(ctx.db, found.id)
  if (!reward) throw new ApiError('CONFLICT', '这件举报没有可以领取的奖励。')
  if (!mayClaim(reward, now)) {
    throw new ApiError(
      'CONFLICT',
      claimExpired(reward, now)
        ? '已过领取期限，不能再确认领取方式。如有疑问，请拨打 12345 反映。'
        : '您已经确认过领取方式，请等待发放。',
    )
  }
  const sealed = payee ? sealPayee(ctx.privacy.ring, found.trackingNo, payee) : null
  await ctx.db.transaction().execute(async (trx) => {
    const stored = await storeRewardClaim(trx, {
      id: reward.id,
      method,
      payeeSealed: sealed?.sealed ?? null,
      payeeKeyId: sealed?.keyId ?? null,
      at: now,
    })
    if (!stored) throw new ApiError('CONFLICT', '您已经确认过领取方式，或已过领取期限。')
    await addCaseEvents(trx, [
      {
        complaintId: found.id,
        kind: 'reward_claimed',
        isPublic: true,
        note: `您已确认以“${rewardMethodLabels[method]}”方式领取举报奖励，发放后会在本页告知。`,
        actor: 'citizen',
        occurredAt: now,
      },
    ])
    // Every step of a reward is in the audit log; this one is the reporter's, by the query code.
    await recordAudit(trx, {
      operator: null,
      username: 'citizen',
      action: 'reward.claim',
      complaintId: found.id,
      clientAddress: input.clientAddress,
      detail: { from: 'approved', to: 'claimed', method },
    })
  })
  ctx.logger.info({ complaintId: found.id, method }, 'reward claimed by its reporter')
  return trackedView(ctx, found, now)
}
