// The complaint vocabulary and its Chinese labels. db/schema/ takes the lists from here for the
// columns that check them, so a value is added in one place.

export const complaintKinds = ['complaint', 'report'] as const
/** 投诉 (a consumer's own dispute) / 举报 (a tip-off, may be anonymous) */
export type ComplaintKind = (typeof complaintKinds)[number]

export const complaintCategories = [
  'short_weight',
  'rigged_instrument',
  'fuel_dispenser',
  'taxi_meter',
  'utility_meter',
  'optical',
  'medical',
  'other',
] as const
export type ComplaintCategory = (typeof complaintCategories)[number]

export const complaintStatuses = [
  'received',
  'accepted',
  'rejected',
  'in_progress',
  'resolved',
  'closed',
  'returned',
  'review',
  'merged',
] as const
/**
 * 已接收 / 已受理 / 不予受理 / 办理中 / 已办结 / 已归档 / 已退单 (12345) / 复核中 / 已合并办理 (handled as
 * the case it was merged into)
 */
export type ComplaintStatus = (typeof complaintStatuses)[number]

/** Statuses that still run against a deadline: the queue's open cases. */
export const openComplaintStatuses = [
  'received',
  'accepted',
  'in_progress',
  'review',
] as const satisfies readonly ComplaintStatus[]

/** 满意 / 基本满意 / 不满意: a web resident's rating of how their case was handled (issue 25). */
export const residentRatings = ['satisfied', 'basically_satisfied', 'unsatisfied'] as const
export type ResidentRating = (typeof residentRatings)[number]

export const residentRatingLabels: Record<ResidentRating, string> = {
  satisfied: '满意',
  basically_satisfied: '基本满意',
  unsatisfied: '不满意',
}

export const quantityUnits = ['jin', 'liang', 'kg', 'g', 'l', 'ml', 'm', 'km'] as const
export type QuantityUnit = (typeof quantityUnits)[number]

export const complaintChannels = ['web', 'hotline12345'] as const
/** 网上 / 12345 热线 */
export type ComplaintChannel = (typeof complaintChannels)[number]

export const mediationResults = ['agreed', 'failed', 'withdrawn'] as const
/** 调解成功 / 调解不成 / 撤回投诉 */
export type MediationResult = (typeof mediationResults)[number]

export const kindLabels: Record<ComplaintKind, string> = {
  complaint: '投诉',
  report: '举报',
}

/** One sentence each, shown on the form so a resident can choose (DESIGN.md section 4). */
export const kindExplanations: Record<ComplaintKind, string> = {
  complaint: '您本人买东西或接受服务时吃了亏，希望市场监管部门调解、挽回损失；需要留下姓名和电话。',
  report: '您发现商户有计量违法行为，希望市场监管部门查处；可以匿名。',
}

export const categoryLabels: Record<ComplaintCategory, string> = {
  short_weight: '缺斤短两',
  rigged_instrument: '计量器具作弊',
  fuel_dispenser: '加油机计量',
  taxi_meter: '出租车计价器',
  utility_meter: '民用三表（水、电、气表）',
  optical: '眼镜制配',
  medical: '医疗计量',
  other: '其他',
}

export const complaintStatusLabels: Record<ComplaintStatus, string> = {
  received: '已接收',
  accepted: '已受理',
  rejected: '不予受理',
  in_progress: '办理中',
  resolved: '已办结',
  closed: '已归档',
  returned: '已退回 12345',
  review: '复核中',
  merged: '已合并办理',
}

export const unitLabels: Record<QuantityUnit, string> = {
  jin: '斤',
  liang: '两',
  kg: '千克',
  g: '克',
  l: '升',
  ml: '毫升',
  m: '米',
  km: '公里',
}

const isQuantityUnit = (unit: string): unit is QuantityUnit =>
  (quantityUnits as readonly string[]).includes(unit)

/**
 * A stored unit as staff and residents read it (`jin` → 斤). A code outside the list (an old row,
 * a 12345 order) is shown as it came rather than dropped.
 */
export function unitName(unit: string | null): string | null {
  if (unit === null || unit === '') return null
  return isQuantityUnit(unit) ? unitLabels[unit] : unit
}

/** What the deadline on the receipt is for. */
export const deadlineLabels: Record<ComplaintKind, string> = {
  complaint: '作出是否受理的决定',
  report: '完成核查并作出是否立案的决定',
}
