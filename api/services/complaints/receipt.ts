import type { ComplaintStatus } from '../../../db/database.ts'
import { beijingIsoMs } from '../../domain/beijing-time.ts'
import type { Deadline } from '../../domain/working-days.ts'

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

/** The receipt a newly filed complaint answers with. */
export function newReceipt(trackingNo: string, queryCode: string, deadline: Deadline) {
  const receipt: ComplaintReceipt = {
    trackingNo,
    queryCode,
    status: 'received',
    dueAt: beijingIsoMs(deadline.dueAt),
    dueDate: deadline.dueDate,
    replayed: false,
  }
  return receipt
}
