// The early-warning vocabulary (issue 24) and its Chinese labels. db/schema/ takes the lists from
// here for the columns that check them, so a value is added in one place.

export const warningSubjectKinds = [
  'business',
  'address',
  'county_category',
  'instrument',
  'hotline_ticket',
] as const
/** 经营者 / 市场或街道 / 区县某类问题 / 计量器具种类 / 12345 工单被反复催办督办 */
export type WarningSubjectKind = (typeof warningSubjectKinds)[number]

export const warningSubjectKindLabels: Record<WarningSubjectKind, string> = {
  business: '经营者',
  address: '市场或街道',
  county_category: '区县问题类别',
  instrument: '计量器具种类',
  hotline_ticket: '12345 工单催办督办',
}

export const warningStates = ['open', 'acknowledged', 'handled', 'dismissed'] as const
/** 待处置 / 已确认 / 已处置 / 已排除 */
export type WarningState = (typeof warningStates)[number]

export const warningStateLabels: Record<WarningState, string> = {
  open: '待处置',
  acknowledged: '已确认',
  handled: '已处置',
  dismissed: '已排除',
}

/** A warning still needing someone: new cases of its subject join it. */
export const openWarningStates = ['open', 'acknowledged'] as const satisfies readonly WarningState[]

export const warningRules = ['baseline', 'threshold', 'urged'] as const
/** 高于自身基线 / 超过设定阈值 / 工单反复催办督办 */
export type WarningRule = (typeof warningRules)[number]

export const warningRuleLabels: Record<WarningRule, string> = {
  baseline: '明显高于该对象以往水平',
  threshold: '超过设定的数量阈值',
  urged: '12345 工单反复催办或被督办',
}

export const warningSeverities = [1, 2, 3] as const
export type WarningSeverity = (typeof warningSeverities)[number]

export const warningSeverityLabels: Record<WarningSeverity, string> = {
  1: '关注',
  2: '预警',
  3: '严重',
}

export const warningActions = ['inspection', 'merged', 'mediated', 'other'] as const
/** What a handler did about a warning when marking it handled. */
export type WarningAction = (typeof warningActions)[number]

export const warningActionLabels: Record<WarningAction, string> = {
  inspection: '已开展专项检查',
  merged: '已合并办理相关案件',
  mediated: '已集中调解',
  other: '其他处置',
}
