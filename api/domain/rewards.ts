import { beijingDate, beijingMidnight } from './beijing-time.ts'
import { publicFindings, type CaseFinding, type CaseFollowUp } from './credit.ts'

// 举报奖励 (issue 25, item 5): a reporter whose 举报 was substantiated and led to a penalty may be
// rewarded. A handler proposes (amount, rule applied), a city administrator approves or refuses
// with a reason, the reporter confirms on the tracking page how to receive it within the claim
// period, and the payment is recorded. Pure: the schema, the verbs and the pages take the lists
// and the rules from here. Amounts are never public per case (only yearly totals on /statistics).

/** proposed 待审批 → approved 已批准 | refused 未批准 → claimed 待发放 → paid 已发放. */
export const rewardStates = ['proposed', 'approved', 'refused', 'claimed', 'paid'] as const
export type RewardState = (typeof rewardStates)[number]

/** As the console names each state. */
export const rewardStateLabels: Record<RewardState, string> = {
  proposed: '待审批',
  approved: '已批准，待举报人确认领取方式',
  refused: '未予批准',
  claimed: '举报人已确认领取方式，待发放',
  paid: '已发放',
}

/**
 * The rule a reward was weighed under. The three grades are those of the national measures
 * (《市场监管领域重大违法行为举报奖励暂行办法》, 国市监稽规〔2021〕4号, and Zhejiang's 实施细则):
 * 5 %, 3 % or 1 % of the fines and confiscations, at least 5,000, 3,000 or 1,000 yuan. Reports of
 * lesser metrology violations are rewarded under the bureau's own standard (`local`). The handler
 * weighs the amount; the rule applied is recorded with it and a note says how it was worked out.
 */
export const rewardRules = ['grade_1', 'grade_2', 'grade_3', 'local'] as const
export type RewardRule = (typeof rewardRules)[number]

export const rewardRuleLabels: Record<RewardRule, string> = {
  grade_1: '一级举报奖励（提供详细违法事实、线索和直接证据，与违法事实完全相符）',
  grade_2: '二级举报奖励（提供违法事实、线索和部分证据，与违法事实相符）',
  grade_3: '三级举报奖励（提供违法事实或线索，与违法事实基本相符）',
  local: '本局一般计量违法行为举报奖励标准',
}

/** How a reporter receives the reward, and how a payment was made. */
export const rewardMethods = ['bank_transfer', 'in_person'] as const
export type RewardMethod = (typeof rewardMethods)[number]

export const rewardMethodLabels: Record<RewardMethod, string> = {
  bank_transfer: '银行转账',
  in_person: '现场领取',
}

/** Limits the schema's checks and the forms share. */
export const rewardLimits = {
  /** The national measures' ceiling per case: 1,000,000 yuan, in fen. */
  maxAmountFen: 100_000_000,
  noteChars: 500,
  reasonChars: 500,
  referenceChars: 100,
  payeeNameChars: 50,
  bankNameChars: 100,
} as const

/**
 * How long after the approval the reporter may confirm how to receive the reward: 90 days, the
 * period the bureau's reward rules set. This is the one place to change it; each approval stores
 * its own deadline, so a change applies to rewards approved after it.
 */
export const rewardClaimDays = 90

/** The end of the claim period: the end of the Beijing day `rewardClaimDays` after approval. */
export function claimDeadlineOf(approvedAt: Date): Date {
  return beijingMidnight(beijingDate(approvedAt), rewardClaimDays + 1)
}

/** What the case must be for a reward to be proposed on it. */
export interface RewardCase {
  kind: 'complaint' | 'report'
  status: string
  finding: CaseFinding | null
  followUp: CaseFollowUp | null
  /** Penalties entered with this case's tracking number (penalties.complaint_id). */
  penaltyCount: number
}

/**
 * Why no reward may be proposed on this case, in words a handler can act on; null when one may.
 * A reward is for a 举报 that is handled (办结 or 归档), substantiated (查实 or 部分查实: both put
 * the case on the business's record) and that led to a penalty (立案查处, or a penalty entered
 * with the case's number).
 */
export function proposalRefusal(c: RewardCase): string | null {
  if (c.kind !== 'report') return '举报奖励只适用于举报；投诉是消费者本人的纠纷，不予奖励。'
  if (c.status !== 'resolved' && c.status !== 'closed') {
    return '举报办结后才能提出奖励，请先办结案件（认定查实并录入处罚）。'
  }
  if (c.finding === null || !publicFindings.includes(c.finding)) {
    return '只有认定为“查实”或“部分查实”的举报才能提出奖励。'
  }
  if (c.followUp !== 'penalized' && c.penaltyCount === 0) {
    return '举报须已立案查处（后续处理为“立案查处”，或已录入填写本案受理编号的行政处罚）才能提出奖励。'
  }
  return null
}

/** From which states each console step may be taken (a refused one may be proposed again). */
const rewardStepFrom = {
  propose: [null, 'refused'],
  approve: ['proposed'],
  refuse: ['proposed'],
  record_payment: ['claimed'],
} as const satisfies Record<string, readonly (RewardState | null)[]>
export type RewardStep = keyof typeof rewardStepFrom

/** Whether `step` may be taken on a reward in `state` (null: none proposed yet). */
export const mayTakeStep = (step: RewardStep, state: RewardState | null) =>
  (rewardStepFrom[step] as readonly (RewardState | null)[]).includes(state)

/** Why `step` cannot be taken from `state`, for the 409 answer. */
export function stepRefusal(step: RewardStep, state: RewardState | null): string {
  if (step === 'propose') {
    return state === 'proposed'
      ? '这件举报已经提出奖励，正在等待市局审批。'
      : '这件举报的奖励已经批准，不能重新提出。'
  }
  if (step === 'record_payment') {
    return state === 'paid' ? '这笔奖励已经登记发放。' : '举报人确认领取方式后才能登记发放。'
  }
  return state === null || state === 'refused' ? '没有待审批的奖励。' : '这笔奖励已经审批过了。'
}

/** Whether a reporter may still confirm how to receive an approved reward at `now`. */
export const mayClaim = (
  r: { state: RewardState; claimDeadline: Date | null },
  now: Date,
): boolean => r.state === 'approved' && r.claimDeadline !== null && now < r.claimDeadline

/** 已过领取期限: approved, not claimed, and the claim period is over. */
export const claimExpired = (
  r: { state: RewardState; claimDeadline: Date | null },
  now: Date,
): boolean => r.state === 'approved' && r.claimDeadline !== null && now >= r.claimDeadline

/**
 * Yuan as typed ("1234.56", "１２３４．５", "1,234.56 元") to fen, or null when it is not an amount
 * with at most two decimals.
 */
export function yuanToFen(typed: string): number | null {
  const text = typed
    .replace(/[\uFF10-\uFF19\uFF0E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[,，\s]|元$/g, '')
  const m = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(text)
  if (!m) return null
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'))
}

/** Fen as yuan with two decimals: 123456 → "1234.56". */
export const fenToYuan = (fen: number) =>
  `${Math.trunc(fen / 100)}.${String(Math.abs(fen) % 100).padStart(2, '0')}`
