import type { ComplaintStatus } from '../../../db/database.ts'
import type { Deadline } from './working-days.ts'

export interface ComplaintReceipt {
  trackingNo: string
  queryCode: string
  status: ComplaintStatus
  /** ISO 8601 in China Standard Time: the end of the last working day. */
  dueAt: string
  /** Shanghai calendar date of `dueAt`, for people. */
  dueDate: string
  /** True when this answers a repeated submission with the first one's result. */
  replayed: boolean
}

function toShanghaiIso(instant: Date) {
  const local = new Date(instant.getTime() + 8 * 3600_000).toISOString().slice(0, 23)
  return `${local}+08:00`
}

/** The receipt a newly filed complaint answers with. */
export function newReceipt(trackingNo: string, queryCode: string, deadline: Deadline) {
  const receipt: ComplaintReceipt = {
    trackingNo,
    queryCode,
    status: 'received',
    dueAt: toShanghaiIso(deadline.dueAt),
    dueDate: deadline.dueDate,
    replayed: false,
  }
  return receipt
}
