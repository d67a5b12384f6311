import type { HandlerNotice } from '../notifications/notice.ts'
import {
  warningRuleLabels,
  warningSeverityLabels,
  warningSubjectKindLabels,
  type WarningRule,
  type WarningSeverity,
  type WarningSubjectKind,
} from '../../domain/warnings.ts'

export interface NoticeWarning {
  id: string
  subjectKind: WarningSubjectKind
  subjectLabel: string
  countyCode: string | null
  severity: WarningSeverity
  rule: WarningRule
  windowHours: number
  windowCount: number
  expected: number
  /** For `urged`: how often the ticket was chased. */
  ticket?: { urgeCount: number; supervised: boolean } | undefined
}

/**
 * The notice telling the county's handlers (the city's, for an instrument kind) that a warning
 * opened or grew more severe. It names the subject and the counts, never a resident: the label
 * is a business, a place, a category, an instrument kind or a ticket number.
 */
export function warningNotice(
  w: NoticeWarning,
  event: 'opened' | 'escalated',
  siteUrl: string,
): HandlerNotice {
  const url = `${siteUrl.replace(/\/$/, '')}/admin/warnings/${w.id}`
  const severity = warningSeverityLabels[w.severity]
  const what =
    w.rule === 'urged' && w.ticket
      ? `${w.subjectLabel}已被催办 ${w.ticket.urgeCount} 次${w.ticket.supervised ? '，并已被督办' : ''}。`
      : `近 ${w.windowHours} 小时收到 ${w.windowCount} 件投诉举报，` +
        (w.rule === 'threshold'
          ? `达到设定阈值 ${Math.round(w.expected)} 件。`
          : `以往同样时长平均约 ${w.expected.toFixed(1)} 件。`)
  const title =
    event === 'opened'
      ? `计量预警（${severity}）：${w.subjectLabel}`
      : `计量预警升级为${severity}：${w.subjectLabel}`
  const text = [
    `${warningSubjectKindLabels[w.subjectKind]}：${w.subjectLabel}`,
    `${warningRuleLabels[w.rule]}：${what}`,
    `请登录监管后台查看并处置：${url}`,
  ].join('\n')
  return {
    countyCode: w.countyCode,
    type: `warning.${event}`,
    title,
    text,
    data: {
      warningId: w.id,
      subjectKind: w.subjectKind,
      subjectLabel: w.subjectLabel,
      countyCode: w.countyCode,
      severity: w.severity,
      rule: w.rule,
      windowHours: w.windowHours,
      windowCount: w.windowCount,
      expected: Number(w.expected.toFixed(4)),
      url,
    },
    key: `warning:${w.id}:${event === 'opened' ? 'opened' : `severity-${w.severity}`}`,
  }
}
