import type { PenaltyRow } from '../../../../db/queries/penalties.ts'
import { beijingDate } from '../../../domain/beijing-time.ts'
import { penaltyKindLabels } from '../../../domain/credit.ts'
import { penaltyPublicationLimitDays } from '../../../domain/penalty-publication.ts'
import { addWorkingDays, type WorkingDayCalendar } from '../../../domain/working-days.ts'
import type { PenaltyView } from './schemas.ts'

/** The last day the law allows for publishing a decision of `decidedOn`. */
const publicationDeadline = (calendar: WorkingDayCalendar, decidedOn: string) =>
  addWorkingDays(calendar, decidedOn, penaltyPublicationLimitDays)

export function toPenaltyView(row: PenaltyRow, calendar: WorkingDayCalendar): PenaltyView {
  const deadline = publicationDeadline(calendar, row.decidedOn)
  const publishedOn = row.publishedAt ? beijingDate(row.publishedAt) : null
  return {
    id: row.id,
    uscc: row.uscc,
    businessName: row.businessName,
    countyCode: row.countyCode,
    countyName: row.countyName,
    decisionNo: row.decisionNo,
    decidedOn: row.decidedOn,
    kind: row.kind,
    kindName: penaltyKindLabels[row.kind],
    violation: row.violation,
    penalty: row.penalty,
    legalBasis: row.legalBasis,
    caseTrackingNo: row.caseTrackingNo,
    publishedAt: row.publishedAt?.toISOString() ?? null,
    publishUntil: row.publishUntil,
    takenDownAt: row.takenDownAt?.toISOString() ?? null,
    state: row.takenDownAt ? 'taken_down' : 'published',
    stateName: row.takenDownAt ? '已撤下公示' : '公示中',
    publicationDeadline: deadline,
    late: publishedOn !== null && publishedOn > deadline,
    createdBy: row.createdByUsername,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    version: row.version,
  }
}
