import type { ComplaintChannel, MediationResult } from '../../../../db/database.ts'

/** 不予受理 reasons a handler chooses from; the code is stored, the label is shown. */
export const rejectionReasons = [
  'not_metrology',
  'no_jurisdiction',
  'insufficient_info',
  'duplicate',
  'other',
] as const
export type RejectionReason = (typeof rejectionReasons)[number]

export const rejectionReasonLabels: Record<RejectionReason, string> = {
  not_metrology: '不属于计量问题',
  no_jurisdiction: '不属于本部门管辖',
  insufficient_info: '缺少必要信息',
  duplicate: '重复投诉',
  other: '其他',
}

export const mediationResultLabels: Record<MediationResult, string> = {
  agreed: '调解成功',
  failed: '调解不成',
  withdrawn: '撤回投诉',
}

/** What each kind of timeline entry is called on the case page. */
export const timelineKindLabels: Record<string, string> = {
  received: '收到',
  accepted: '受理',
  rejected: '不予受理',
  assigned: '指派',
  note: '内部备注',
  mediated: '调解结果',
  in_progress: '办理中',
  resolved: '办结',
  closed: '归档',
}

export const channelLabels: Record<ComplaintChannel, string> = {
  web: '网上投诉举报',
  hotline12345: '12345 热线',
}

export const isRejectionReason = (code: string | null): code is RejectionReason =>
  code !== null && (rejectionReasons as readonly string[]).includes(code)
