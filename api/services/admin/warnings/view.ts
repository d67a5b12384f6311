import type { ThresholdRow, WarningRow } from '../../../../db/queries/warnings-console.ts'
import {
  warningActionLabels,
  warningRuleLabels,
  warningSeverityLabels,
  warningStateLabels,
  warningSubjectKindLabels,
} from '../../../domain/warnings.ts'
import type { ThresholdView, WarningView } from './schemas.ts'

/** What the console calls a warning without a county. */
const cityWideName = '全市'

export function toWarningView(row: WarningRow): WarningView {
  return {
    id: row.id,
    subjectKind: row.subjectKind,
    subjectKindName: warningSubjectKindLabels[row.subjectKind],
    subjectLabel: row.subjectLabel,
    countyCode: row.countyCode,
    countyName: row.countyName ?? cityWideName,
    severity: row.severity,
    severityName: warningSeverityLabels[row.severity],
    rule: row.rule,
    ruleName: warningRuleLabels[row.rule],
    windowHours: row.windowHours,
    windowCount: row.windowCount,
    expected: Number(row.expected),
    state: row.state,
    stateName: warningStateLabels[row.state],
    firedAt: row.firedAt.toISOString(),
    lastCaseAt: row.lastCaseAt.toISOString(),
    acknowledgedAt: row.acknowledgedAt?.toISOString() ?? null,
    closedAt: row.closedAt?.toISOString() ?? null,
    action: row.action,
    actionName: row.action === null ? null : warningActionLabels[row.action],
    closingNote: row.closingNote,
    version: row.version,
  }
}

export function toThresholdView(row: ThresholdRow): ThresholdView {
  return {
    id: row.id,
    subjectKind: row.subjectKind,
    subjectKindName: warningSubjectKindLabels[row.subjectKind],
    countyCode: row.countyCode,
    countyName: row.countyName ?? cityWideName,
    windowHours: row.windowHours,
    minCount: row.minCount,
    severity: row.severity,
    severityName: warningSeverityLabels[row.severity],
    updatedBy: row.updatedByUsername,
    updatedAt: row.updatedAt.toISOString(),
  }
}
