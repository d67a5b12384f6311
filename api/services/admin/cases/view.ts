import type { QueueRow } from '../../../../db/queries/cases.ts'
import { categoryLabels, complaintStatusLabels } from '../../../domain/complaints.ts'
import type { WorkingDayCalendar } from '../../../domain/working-days.ts'
import { isOpen, workingDaysLeft } from './deadlines.ts'
import { priorityLabels } from './labels.ts'
import type { CaseQueueItem } from './schemas.ts'

/** A case as the queue lists it: due-date facts are worked out at `now`. */
export function toQueueItem(row: QueueRow, cal: WorkingDayCalendar, now: Date): CaseQueueItem {
  const open = isOpen(row.status)
  return {
    id: row.id,
    trackingNo: row.trackingNo,
    kind: row.kind,
    category: row.category,
    categoryName: categoryLabels[row.category],
    status: row.status,
    statusName: complaintStatusLabels[row.status],
    countyCode: row.countyCode,
    countyName: row.countyName,
    channel: row.channel,
    merchantName: row.merchantName,
    receivedAt: row.receivedAt.toISOString(),
    dueAt: row.dueAt.toISOString(),
    workingDaysLeft: open ? workingDaysLeft(cal, row.dueAt, now) : null,
    overdue: open && row.dueAt.getTime() < now.getTime(),
    priority: row.priority,
    priorityName: priorityLabels[row.priority] ?? null,
  }
}

export const isoOrNull = (d: Date | null) => (d === null ? null : d.toISOString())
