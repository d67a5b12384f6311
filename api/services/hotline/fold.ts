import type { ComplaintStatus, HotlineRequestState, Satisfaction } from '../../../db/database.ts'
import { beijingDate } from '../../domain/beijing-time.ts'
import type { HotlineEvent } from './events.ts'

/**
 * The state of a 12345 case is a pure function of every event the hotline sent for its ticket and
 * of the console's own status changes, folded in time order. The worker recomputes it after each
 * applied event, so events that arrive late, twice or out of order end in the state the ordered
 * sequence gives (issue 5).
 */

/** An applied inbound event: the parsed body and its `webhook-id` (ties at one instant). */
export interface InboundEntry {
  webhookId: string
  event: HotlineEvent
}

/** A timeline entry the console wrote on the case (actor: an operator). */
export interface LocalEntry {
  id: string
  kind: string
  occurredAt: Date
}

/**
 * Console timeline kinds that move a hotline case, merged with the inbound events by time so an
 * older inbound event arriving late does not undo them. `hotline_signed` (签收),
 * `hotline_progress` (过程反馈) and `hotline_completed` (办结反馈) are the hotline actions; the
 * others are the state machine's own entries (machine.ts), in case one is used on a hotline case.
 */
const localStatusKinds: Readonly<Record<string, ComplaintStatus>> = {
  hotline_signed: 'accepted',
  hotline_progress: 'in_progress',
  hotline_completed: 'resolved',
  accepted: 'accepted',
  rejected: 'rejected',
  in_progress: 'in_progress',
  mediated: 'in_progress',
  resolved: 'resolved',
  closed: 'closed',
}

/** Console kinds recording our requests to the hotline (退单申请, 延期申请). */
const localRequestKinds = {
  return: 'hotline_return_requested',
  extension: 'hotline_extension_requested',
} as const

/** Every console kind the fold reads. */
export const foldedLocalKinds = [
  ...Object.keys(localStatusKinds),
  localRequestKinds.return,
  localRequestKinds.extension,
]

export interface TicketState {
  status: ComplaintStatus
  /** 办结期限: the dispatch's, moved by an approved extension or a reopening with a deadline. */
  deadline: Date
  /** 0 normal, 1 urged, 2 supervised. */
  priority: 0 | 1 | 2
  urgeCount: number
  /** The first 督办. */
  supervisedAt: Date | null
  /** Undefined: nothing in the events decides it, the stored value stands. */
  returnState: HotlineRequestState | undefined
  extensionState: HotlineRequestState | undefined
  satisfaction: Satisfaction | null
  /** The time of the latest inbound event. */
  lastEventAt: Date
  /** When the case last became closed, if it is closed. */
  closedAt: Date | null
  /** The dispatch's attachments, then every supplement's, without repeats. */
  attachments: string[]
  /** The dispatch that defines the ticket: the earliest one. */
  ticket: Extract<HotlineEvent, { type: 'ticket.dispatched' }>['ticket']
}

type Step =
  | { at: number; source: 0; tie: string; inbound: HotlineEvent }
  | { at: number; source: 1; tie: string; local: LocalEntry }

const compareTie = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/** Inbound by (occurred_at, webhook-id), console entries by (time, id); inbound first on a tie. */
function ordered(inbound: readonly InboundEntry[], local: readonly LocalEntry[]): Step[] {
  const steps: Step[] = [
    ...inbound.map((e): Step => ({
      at: new Date(e.event.occurred_at).getTime(),
      source: 0,
      tie: e.webhookId,
      inbound: e.event,
    })),
    ...local.map((e): Step => ({
      at: e.occurredAt.getTime(),
      source: 1,
      tie: e.id.padStart(20, '0'),
      local: e,
    })),
  ]
  return steps.sort((a, b) => a.at - b.at || a.source - b.source || compareTie(a.tie, b.tie))
}

/**
 * Folds a ticket's applied events and the console's entries into its state; undefined while no
 * dispatch is among them (the events are held until it comes).
 */
export function foldTicket(
  inbound: readonly InboundEntry[],
  local: readonly LocalEntry[] = [],
): TicketState | undefined {
  const steps = ordered(inbound, local)
  const first = steps.find(
    (s): s is Extract<Step, { source: 0 }> =>
      s.source === 0 && s.inbound.type === 'ticket.dispatched',
  )
  if (first?.inbound.type !== 'ticket.dispatched') return undefined
  const ticket = first.inbound.ticket
  const assignedAt = new Date(ticket.assigned_at).getTime()
  const state: TicketState = {
    status: 'received',
    deadline: new Date(ticket.deadline),
    priority: 0,
    urgeCount: 0,
    supervisedAt: null,
    returnState: undefined,
    extensionState: undefined,
    satisfaction: null,
    lastEventAt: new Date(first.at),
    closedAt: null,
    attachments: [...ticket.attachments],
    ticket,
  }
  // A deadline that is not after the assignment would be no deadline at all; it is ignored.
  const moveDeadline = (value: string | undefined) => {
    if (value !== undefined && new Date(value).getTime() > assignedAt) {
      state.deadline = new Date(value)
    }
  }
  const setStatus = (status: ComplaintStatus, at: number) => {
    state.status = status
    state.closedAt = status === 'closed' ? new Date(at) : null
  }
  for (const step of steps) {
    if (step.source === 1) {
      const status = localStatusKinds[step.local.kind]
      if (status) setStatus(status, step.at)
      if (step.local.kind === localRequestKinds.return) state.returnState = 'requested'
      if (step.local.kind === localRequestKinds.extension) state.extensionState = 'requested'
      continue
    }
    const event = step.inbound
    if (step.at > state.lastEventAt.getTime()) state.lastEventAt = new Date(step.at)
    switch (event.type) {
      case 'ticket.dispatched':
        // The first dispatch made the case; a later one of the same ticket changes nothing.
        if (step === first) setStatus('received', step.at)
        break
      case 'ticket.supplemented':
        for (const url of event.detail.attachments) {
          if (!state.attachments.includes(url)) state.attachments.push(url)
        }
        break
      case 'ticket.urged':
        state.urgeCount += 1
        break
      case 'ticket.supervised':
        state.supervisedAt ??= new Date(step.at)
        break
      case 'ticket.return_decided':
        state.returnState = event.detail.decision
        if (event.detail.decision === 'approved') setStatus('returned', step.at)
        break
      case 'ticket.extension_decided':
        state.extensionState = event.detail.decision
        if (event.detail.decision === 'approved') moveDeadline(event.detail.new_deadline)
        break
      case 'ticket.revisited':
        state.satisfaction = event.detail.satisfaction
        break
      case 'ticket.reopened':
        moveDeadline(event.detail.deadline)
        setStatus('in_progress', step.at)
        break
      case 'ticket.closed':
        setStatus('closed', step.at)
        break
    }
  }
  state.priority = state.supervisedAt ? 2 : state.urgeCount > 0 ? 1 : 0
  return state
}

/** One timeline entry per applied event: what it says depends on that event alone. */
export interface HotlineTimelineEntry {
  kind: string
  isPublic: boolean
  note: string
}

const satisfactionLabels: Record<Satisfaction, string> = {
  satisfied: '满意',
  basically_satisfied: '基本满意',
  dissatisfied: '不满意',
}

const withNote = (text: string, note: string | undefined) =>
  (note ? `${text}${note}` : text).slice(0, 5000)

/**
 * The entry an inbound event writes (kind `hotline_…`, actor `hotline`). Chases, supervision,
 * supplements, decisions on a return and revisits are internal; the dispatch, an approved
 * extension, a reopening and the closing are public.
 */
export function timelineEntryOf(event: HotlineEvent, caseExists: boolean): HotlineTimelineEntry {
  switch (event.type) {
    case 'ticket.dispatched':
      return caseExists
        ? {
            kind: 'hotline_redispatched',
            isPublic: false,
            note: `12345 热线再次交办工单 ${event.ticket.ticket_no}，已关联本案，未重复登记。`,
          }
        : {
            kind: 'hotline_dispatched',
            isPublic: true,
            note: `12345 热线交办工单 ${event.ticket.ticket_no}，办结期限 ${beijingDate(new Date(event.ticket.deadline))}。`,
          }
    case 'ticket.supplemented': {
      const files = event.detail.attachments.length
      return {
        kind: 'hotline_supplemented',
        isPublic: false,
        note: withNote(
          files > 0 ? `12345 热线补充材料（附件 ${files} 个）：` : '12345 热线补充材料：',
          event.detail.content,
        ),
      }
    }
    case 'ticket.urged':
      return {
        kind: 'hotline_urged',
        isPublic: false,
        note: withNote('12345 热线催办。', event.detail.note),
      }
    case 'ticket.supervised':
      return {
        kind: 'hotline_supervised',
        isPublic: false,
        note: withNote('12345 热线督办，请优先办理。', event.detail.note),
      }
    case 'ticket.return_decided':
      return event.detail.decision === 'approved'
        ? {
            kind: 'hotline_return_approved',
            isPublic: false,
            note: withNote('12345 热线同意退单，本案不再由本局办理。', event.detail.opinion),
          }
        : {
            kind: 'hotline_return_rejected',
            isPublic: false,
            note: withNote('12345 热线不同意退单，请继续办理。', event.detail.opinion),
          }
    case 'ticket.extension_decided':
      return event.detail.decision === 'approved'
        ? {
            kind: 'hotline_extension_approved',
            isPublic: true,
            note: `办结期限已延长至 ${beijingDate(new Date(event.detail.new_deadline!))}。`,
          }
        : {
            kind: 'hotline_extension_rejected',
            isPublic: false,
            note: withNote('12345 热线不同意延期，原办结期限不变。', event.detail.opinion),
          }
    case 'ticket.revisited':
      return {
        kind: 'hotline_revisited',
        isPublic: false,
        note: withNote(
          `12345 热线回访：${satisfactionLabels[event.detail.satisfaction]}。`,
          event.detail.note,
        ),
      }
    case 'ticket.reopened':
      return {
        kind: 'hotline_reopened',
        isPublic: true,
        note: withNote(
          event.detail.deadline
            ? `12345 热线要求重办，办结期限 ${beijingDate(new Date(event.detail.deadline))}。原因：`
            : '12345 热线要求重办。原因：',
          event.detail.reason,
        ),
      }
    case 'ticket.closed':
      return {
        kind: 'hotline_closed',
        isPublic: true,
        note: withNote('12345 热线已结案归档。', event.detail.note),
      }
  }
}
