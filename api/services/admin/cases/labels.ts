import type {
  ComplaintChannel,
  HotlineRequestState,
  MediationResult,
  Satisfaction,
} from '../../../../db/database.ts'
import { hotlineCallbackLabels } from '../../hotline/events.ts'

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
  hotline_signed: '签收',
  hotline_return_requested: '退单申请',
  hotline_extension_requested: '延期申请',
  hotline_progress: '过程反馈',
  hotline_completed: '办结反馈',
  // What the hotline sent (the inbound worker writes these).
  hotline_dispatched: '12345 派单',
  hotline_redispatched: '12345 重新派单',
  hotline_supplemented: '12345 补充材料',
  hotline_urged: '12345 催办',
  hotline_supervised: '12345 督办',
  hotline_return_approved: '退单获批',
  hotline_return_rejected: '退单未获批',
  hotline_extension_approved: '延期获批',
  hotline_extension_rejected: '延期未获批',
  hotline_revisited: '12345 回访',
  hotline_reopened: '12345 重办',
  personal_data_erased: '个人信息删除',
  erasure_held: '暂缓删除个人信息',
  erasure_hold_lifted: '解除暂缓删除',
  contact_corrected: '更正联系方式',
  hotline_closed: '12345 结案归档',
  merged: '合并办理',
  merged_in: '并入案件',
}

export const channelLabels: Record<ComplaintChannel, string> = {
  web: '网上投诉举报',
  hotline12345: '12345 热线',
}

export const isRejectionReason = (code: string | null): code is RejectionReason =>
  code !== null && (rejectionReasons as readonly string[]).includes(code)

/** What each callback to the 12345 hotline is called in the console. */
export const callbackTypeLabels = hotlineCallbackLabels

export const callbackStateLabels: Record<'pending' | 'delivered' | 'dead', string> = {
  pending: '等待发送',
  delivered: '已送达',
  dead: '发送失败（已停止重试）',
}

/** 退单 / 延期 requests as the hotline has (or has not yet) decided them. */
export const requestStateLabels: Record<HotlineRequestState, string> = {
  none: '未申请',
  requested: '已申请，待热线审核',
  approved: '热线已同意',
  rejected: '热线未同意',
}

/** The queue's flag for a case the 12345 hotline pressed (complaints.priority). */
export const priorityLabels: Record<number, string | undefined> = {
  1: '催办',
  2: '督办',
}

export const urgencyLabels: Record<'normal' | 'urgent', string> = {
  normal: '一般',
  urgent: '紧急',
}

export const satisfactionLabels: Record<Satisfaction, string> = {
  satisfied: '满意',
  basically_satisfied: '基本满意',
  dissatisfied: '不满意',
}
