import type { ColumnType, Generated } from 'kysely'

export const appealTypes = ['投诉', '举报', '咨询', '建议', '求助'] as const
/** 诉求类型 of a 12345 work order. */
type AppealType = (typeof appealTypes)[number]

export const satisfactionLevels = ['satisfied', 'basically_satisfied', 'dissatisfied'] as const
/** 满意 / 基本满意 / 不满意, from the hotline's revisit (回访). */
export type Satisfaction = (typeof satisfactionLevels)[number]

export type HotlineRequestState = 'none' | 'requested' | 'approved' | 'rejected'

/** A 12345 work order (工单) and the case it became. */
export interface HotlineTicketTable {
  ticketNo: string
  complaintId: string
  appealType: AppealType
  urgency: 'normal' | 'urgent'
  title: string
  hostDept: string | null
  assistDepts: ColumnType<string[], string[] | undefined, string[]>
  attachments: ColumnType<string[], string | undefined, string>
  assignedAt: Date
  /** 办结期限, moved by an approved extension. */
  deadline: Date
  urgeCount: Generated<number>
  supervisedAt: Date | null
  returnState: Generated<HotlineRequestState>
  extensionState: Generated<HotlineRequestState>
  satisfaction: Satisfaction | null
  lastEventAt: Date
  createdAt: Generated<Date>
  updatedAt: Generated<Date>
}

export type HotlineInboxState = 'pending' | 'held' | 'applied' | 'rejected'

/** A signed event from the hotline, stored before it is answered (DESIGN.md section 5). */
export interface HotlineInboxTable {
  webhookId: string
  webhookTimestamp: Date
  receivedAt: Generated<Date>
  bodySha256: Buffer
  /** The raw body, sealed: it holds the caller's name and phone. */
  piiKeyId: string
  bodySealed: Buffer
  eventType: string | null
  ticketNo: string | null
  occurredAt: Date | null
  state: HotlineInboxState
  responseStatus: number
  responseBody: ColumnType<unknown, string, string>
  errors: ColumnType<unknown, string | null | undefined, string | null>
  attempts: Generated<number>
  lastError: string | null
  availableAt: Generated<Date>
  appliedAt: Date | null
}

export const hotlineCallbackTypes = [
  'ticket.signed',
  'ticket.return_requested',
  'ticket.extension_requested',
  'ticket.progress',
  'ticket.completed',
] as const
export type HotlineCallbackType = (typeof hotlineCallbackTypes)[number]

/** An answer to the hotline, delivered in order per ticket (DESIGN.md section 5). */
export interface HotlineCallbackTable {
  id: Generated<string>
  webhookId: string
  ticketNo: string
  complaintId: string
  eventType: HotlineCallbackType
  payload: ColumnType<unknown, string, string>
  state: Generated<'pending' | 'delivered' | 'dead'>
  attempts: Generated<number>
  nextAttemptAt: Generated<Date>
  lastAttemptAt: Date | null
  lastStatus: number | null
  lastError: string | null
  deliveredAt: Date | null
  operatorId: string | null
  createdAt: Generated<Date>
}
