import {
  complaintStatuses,
  type ComplaintChannel,
  type ComplaintKind,
  type ComplaintStatus,
  type HotlineRequestState,
  type OperatorRole,
} from '../../../../db/database.ts'
import {
  complaintStatusLabels,
  kindLabels,
  openComplaintStatuses,
} from '../../../domain/complaints.ts'
import { maySeeCounty, type SignedInOperator } from '../access.ts'
import { channelLabels } from './labels.ts'

/** What a handler can do to a case. */
export const caseActions = [
  'accept',
  'reject',
  'assign',
  'note',
  'mediate',
  'start',
  'complete',
  'close',
  // The 12345 hotline's work orders (DESIGN.md section 5): each one is also a callback.
  'sign',
  'request_return',
  'request_extension',
  'report_progress',
  'report_completion',
  // 《个人信息保护法》第四十六、四十七条: at the resident's request.
  'correct_contact',
  'erase_personal_data',
  // Reconsideration or a lawsuit: the record must stay whole until it ends.
  'hold_erasure',
  'lift_erasure_hold',
] as const
export type CaseAction = (typeof caseActions)[number]

/** The input fields an action takes besides `action` and `version`. */
export type CaseField =
  | 'reason'
  | 'note'
  | 'county'
  | 'mediationResult'
  | 'handlingResult'
  | 'publicReply'
  | 'returnReason'
  | 'legalBasis'
  | 'days'
  | 'extensionReason'
  | 'finding'
  | 'followUp'
  | 'resolved'
  | 'contactedAt'
  | 'name'
  | 'phone'

/** A request to the hotline (退单 or 延期), as the ticket records it. */
type TicketRequest = 'returnState' | 'extensionState'

export interface ActionRule {
  /** Its name in the console. */
  label: string
  /** The statuses it may start from. */
  from: readonly ComplaintStatus[]
  /** The kinds of case it applies to: mediation is for a 投诉, verification for a 举报. */
  kinds: readonly ComplaintKind[]
  /**
   * Where the case came from: a 12345 work order is signed, handled and answered to the hotline,
   * so the web's own steps (受理, 不予受理, 调解, 核查, 办结, 归档) are not offered on it.
   */
  channels: readonly ComplaintChannel[]
  /** A request to the hotline may be made only while the ticket's request is in one of `from`. */
  ticket?: { request: TicketRequest; from: readonly HotlineRequestState[] }
  /** Only while the case still holds the resident's personal data. */
  needsPersonalData?: true
  /** Only while the erasure is held (true) or not held (false). */
  whileErasureHeld?: boolean
  /**
   * What the operator writes is shown to everyone who may see the case, viewers too: any phone
   * or ID number in it is masked before it is stored (act.ts).
   */
  masksNumbers?: true
  /** The status it leads to; null keeps the current one. */
  to: ComplaintStatus | null
  roles: readonly OperatorRole[]
  /** Its input fields, each required or optional. */
  fields: Partial<Record<CaseField, 'required' | 'optional'>>
  /**
   * The timeline entry it writes and whether the citizen sees it. An internal entry that changes
   * the status is followed by a public one naming the new status (act.ts), so the citizen always
   * sees where the case is without the details.
   */
  entry: { kind: string; isPublic: boolean }
}

const both: readonly ComplaintKind[] = ['complaint', 'report']
const web: readonly ComplaintChannel[] = ['web']
const hotline: readonly ComplaintChannel[] = ['hotline12345']
const anyChannel: readonly ComplaintChannel[] = ['web', 'hotline12345']
const handlers: readonly OperatorRole[] = ['city_admin', 'county_handler']
const open: readonly ComplaintStatus[] = openComplaintStatuses
const ended: readonly ComplaintStatus[] = ['resolved', 'rejected', 'closed', 'returned', 'merged']

/**
 * The case state machine (issue 4; 市场监督管理投诉举报处理暂行办法). A 投诉 goes received →
 * accepted (受理, 第十四条) → in_progress (调解) → resolved (办结) → closed (归档); a 举报 goes
 * received → accepted → in_progress (核查) → resolved → closed. Either may be refused from
 * received (不予受理, 第十五条) and then archived. `viewer` appears in no rule: it may do nothing.
 */
export const caseMachine: Readonly<Record<CaseAction, ActionRule>> = {
  accept: {
    label: '受理',
    from: ['received'],
    kinds: both,
    to: 'accepted',
    channels: web,
    roles: handlers,
    fields: {},
    entry: { kind: 'accepted', isPublic: true },
  },
  reject: {
    label: '不予受理',
    from: ['received'],
    kinds: both,
    to: 'rejected',
    channels: web,
    roles: handlers,
    // The note is the explanation the citizen reads.
    fields: { reason: 'required', note: 'required' },
    entry: { kind: 'rejected', isPublic: true },
  },
  assign: {
    label: '指派',
    from: open,
    kinds: both,
    to: null,
    channels: anyChannel,
    roles: handlers,
    fields: { county: 'required', note: 'optional' },
    entry: { kind: 'assigned', isPublic: false },
  },
  note: {
    label: '内部备注',
    from: ['received', 'accepted', 'rejected', 'in_progress', 'resolved', 'review'],
    kinds: both,
    to: null,
    channels: anyChannel,
    roles: handlers,
    fields: { note: 'required' },
    entry: { kind: 'note', isPublic: false },
  },
  mediate: {
    label: '记录调解结果',
    from: ['accepted', 'in_progress'],
    kinds: ['complaint'],
    to: 'in_progress',
    channels: web,
    roles: handlers,
    fields: { mediationResult: 'required', note: 'required' },
    entry: { kind: 'mediated', isPublic: false },
  },
  start: {
    label: '开始核查',
    from: ['accepted'],
    kinds: ['report'],
    to: 'in_progress',
    channels: web,
    roles: handlers,
    fields: {},
    entry: { kind: 'in_progress', isPublic: true },
  },
  // The finding and what followed are asked where handling ends, on the web and from 12345
  // alike, so every case that reaches 归档 carries them (issue 22: case outcomes).
  complete: {
    label: '办结',
    // 复核: a resident contested the outcome (issue 25); its result is published like any reply.
    from: ['accepted', 'in_progress', 'review'],
    kinds: both,
    to: 'resolved',
    channels: web,
    roles: handlers,
    fields: {
      finding: 'required',
      followUp: 'required',
      handlingResult: 'required',
      publicReply: 'required',
    },
    entry: { kind: 'resolved', isPublic: true },
  },
  close: {
    label: '归档',
    from: ['resolved', 'rejected'],
    kinds: both,
    to: 'closed',
    channels: web,
    roles: handlers,
    fields: {},
    entry: { kind: 'closed', isPublic: true },
  },
  // A hotline work order: signed (签收) within the hotline's time, handled with progress notes
  // (过程反馈) and answered (办结反馈) before its 办结期限. 退单 and 延期 are requests the hotline
  // decides (ticket.return_decided, ticket.extension_decided); one may be pending at a time.
  sign: {
    label: '签收',
    from: ['received'],
    kinds: both,
    channels: hotline,
    to: 'accepted',
    roles: handlers,
    fields: {},
    entry: { kind: 'hotline_signed', isPublic: true },
  },
  request_return: {
    label: '退单申请',
    from: ['received', 'accepted', 'in_progress'],
    kinds: both,
    channels: hotline,
    ticket: { request: 'returnState', from: ['none', 'rejected'] },
    to: null,
    roles: handlers,
    fields: { returnReason: 'required', legalBasis: 'required' },
    entry: { kind: 'hotline_return_requested', isPublic: false },
  },
  request_extension: {
    label: '延期申请',
    from: ['accepted', 'in_progress'],
    kinds: both,
    channels: hotline,
    ticket: { request: 'extensionState', from: ['none', 'approved', 'rejected'] },
    to: null,
    roles: handlers,
    fields: { days: 'required', extensionReason: 'required' },
    entry: { kind: 'hotline_extension_requested', isPublic: false },
  },
  report_progress: {
    label: '过程反馈',
    from: ['accepted', 'in_progress'],
    kinds: both,
    channels: hotline,
    to: 'in_progress',
    roles: handlers,
    fields: { note: 'required' },
    entry: { kind: 'hotline_progress', isPublic: true },
  },
  report_completion: {
    label: '办结反馈',
    from: ['accepted', 'in_progress'],
    kinds: both,
    channels: hotline,
    to: 'resolved',
    roles: handlers,
    fields: {
      // The callback's is_substantiated follows from the finding (callbacks.ts).
      finding: 'required',
      followUp: 'required',
      resolved: 'required',
      handlingResult: 'required',
      publicReply: 'required',
      contactedAt: 'required',
    },
    entry: { kind: 'hotline_completed', isPublic: true },
  },
  // The resident asked to correct or add their name or phone (the one the handler calls): in any
  // state, while the case still holds their data. A blank field keeps what is stored; act.ts
  // refuses a correction that changes neither.
  correct_contact: {
    label: '更正联系方式',
    from: complaintStatuses,
    kinds: both,
    channels: anyChannel,
    to: null,
    roles: handlers,
    needsPersonalData: true,
    fields: { name: 'optional', phone: 'optional', note: 'required' },
    entry: { kind: 'contact_corrected', isPublic: false },
  },
  // The resident asked (through 12345, the privacy notice says) and their identity was checked:
  // their data goes as it would three years after the case (retention.ts). Not while
  // the case is handled: the handler still needs to reach them.
  erase_personal_data: {
    label: '删除个人信息',
    from: ended,
    kinds: both,
    channels: anyChannel,
    to: null,
    roles: ['city_admin'],
    needsPersonalData: true,
    whileErasureHeld: false,
    fields: { note: 'required' },
    entry: { kind: 'personal_data_erased', isPublic: false },
  },
  // The case is under reconsideration or in court, or another authority asked for its record:
  // neither the retention sweep nor a request may remove the resident's data until it is lifted.
  hold_erasure: {
    label: '暂缓删除个人信息',
    from: complaintStatuses,
    kinds: both,
    channels: anyChannel,
    to: null,
    roles: ['city_admin'],
    needsPersonalData: true,
    whileErasureHeld: false,
    // The reason is shown on the case page.
    masksNumbers: true,
    fields: { note: 'required' },
    entry: { kind: 'erasure_held', isPublic: false },
  },
  lift_erasure_hold: {
    label: '解除暂缓删除',
    from: complaintStatuses,
    kinds: both,
    channels: anyChannel,
    to: null,
    roles: ['city_admin'],
    whileErasureHeld: true,
    fields: { note: 'required' },
    entry: { kind: 'erasure_hold_lifted', isPublic: false },
  },
}

/** The actions that answer the 12345 hotline with a callback. */
export const hotlineActions = [
  'sign',
  'request_return',
  'request_extension',
  'report_progress',
  'report_completion',
] as const satisfies readonly CaseAction[]
export type HotlineAction = (typeof hotlineActions)[number]

export const isHotlineAction = (a: CaseAction): a is HotlineAction =>
  (hotlineActions as readonly CaseAction[]).includes(a)

/** What the machine needs to know about a case. */
export interface CaseFacts {
  status: ComplaintStatus
  kind: ComplaintKind
  countyCode: string
  channel: ComplaintChannel
  /** The work order's requests to the hotline; null for a case not from 12345. */
  ticket?: Record<TicketRequest, HotlineRequestState> | null | undefined
  /** Set once the resident's personal data was removed. */
  personalDataErasedAt?: Date | null | undefined
  /** Set while a city administrator holds the erasure. */
  erasureHeldAt?: Date | null | undefined
}

type MachineFacts = Pick<
  CaseFacts,
  'status' | 'kind' | 'channel' | 'ticket' | 'personalDataErasedAt' | 'erasureHeldAt'
>

export interface Refusal {
  /** FORBIDDEN: not this operator's to do; CONFLICT: not possible in the case's current state. */
  code: 'FORBIDDEN' | 'CONFLICT'
  message: string
}

const ticketAllows = (rule: ActionRule, c: MachineFacts) =>
  rule.ticket === undefined ||
  (c.ticket !== null &&
    c.ticket !== undefined &&
    rule.ticket.from.includes(c.ticket[rule.ticket.request]))

const holdsPersonalData = (c: MachineFacts) =>
  c.personalDataErasedAt === null || c.personalDataErasedAt === undefined

const erasureHeld = (c: MachineFacts) => c.erasureHeldAt !== null && c.erasureHeldAt !== undefined

const fitsCase = (rule: ActionRule, c: MachineFacts) =>
  rule.from.includes(c.status) &&
  rule.kinds.includes(c.kind) &&
  rule.channels.includes(c.channel) &&
  ticketAllows(rule, c) &&
  (rule.needsPersonalData === undefined || holdsPersonalData(c)) &&
  (rule.whileErasureHeld === undefined || rule.whileErasureHeld === erasureHeld(c))

/** The actions the case's status, kind and channel allow, whoever asks. */
function possibleActions(c: MachineFacts): CaseAction[] {
  return caseActions.filter((a) => fitsCase(caseMachine[a], c))
}

/** Whether any rule lets this operator's role act on a case at all (a viewer: none). */
export const mayHandleCases = (op: Pick<SignedInOperator, 'role'>) =>
  caseActions.some((a) => caseMachine[a].roles.includes(op.role))

/** The actions this operator may take on this case now. */
export function allowedActions(op: SignedInOperator, c: CaseFacts): CaseAction[] {
  return caseActions.filter((a) => refusalOf(op, c, a) === null)
}

const quoted = (s: string) => `“${s}”`

/** Why a request to the hotline cannot be made while the ticket is in this state. */
const requestStateNotes: Record<TicketRequest, Partial<Record<HotlineRequestState, string>>> = {
  returnState: {
    requested: '退单申请已提交，正在等待 12345 热线审核',
    approved: '12345 热线已同意退单',
  },
  extensionState: { requested: '延期申请已提交，正在等待 12345 热线审核' },
}

function whyNot(rule: ActionRule, c: MachineFacts): string {
  if (!rule.channels.includes(c.channel)) {
    const where = rule.channels.map((ch) => channelLabels[ch]).join('、')
    return `（${quoted(rule.label)}只适用于来自${where}的案件）`
  }
  if (!rule.kinds.includes(c.kind)) {
    return `（${quoted(rule.label)}只适用于${rule.kinds.map((k) => kindLabels[k]).join('、')}）`
  }
  if (rule.needsPersonalData && !holdsPersonalData(c)) return '（个人信息已经删除）'
  if (rule.whileErasureHeld === false && erasureHeld(c)) return '（本案已暂缓删除个人信息）'
  if (rule.whileErasureHeld === true && !erasureHeld(c)) return '（本案没有暂缓删除）'
  if (rule.from.includes(c.status) && rule.ticket && c.ticket) {
    const note = requestStateNotes[rule.ticket.request][c.ticket[rule.ticket.request]]
    if (note) return `（${note}）`
  }
  return ''
}

function stateRefusal(op: SignedInOperator, c: CaseFacts, action: CaseAction): Refusal {
  const rule = caseMachine[action]
  const origin = c.channel === 'web' ? '' : `来自${channelLabels[c.channel]}的`
  const now = `本案是${origin}${kindLabels[c.kind]}，当前状态为${quoted(complaintStatusLabels[c.status])}`
  const why = whyNot(rule, c)
  // What this operator could do instead (the county was checked before).
  const possible = possibleActions(c)
    .filter((a) => caseMachine[a].roles.includes(op.role))
    .map((a) => quoted(caseMachine[a].label))
  const next =
    possible.length > 0 ? `当前可以：${possible.join('、')}。` : '这个状态下已不能再做任何操作。'
  return { code: 'CONFLICT', message: `${now}，不能${quoted(rule.label)}${why}。${next}` }
}

/**
 * Why this operator may not take this action on this case now, or null when it may: the role
 * first, then the county, then the case's status and kind.
 */
export function refusalOf(op: SignedInOperator, c: CaseFacts, action: CaseAction): Refusal | null {
  const rule = caseMachine[action]
  if (!rule.roles.includes(op.role)) {
    return {
      code: 'FORBIDDEN',
      message:
        op.role === 'viewer'
          ? '只读账号只能查看案件，不能办理。如需办理，请联系市局管理员开通办理权限。'
          : `您的账号不能${quoted(rule.label)}。`,
    }
  }
  if (!maySeeCounty(op, c.countyCode)) {
    return { code: 'FORBIDDEN', message: '这个案件不属于您所在区县，不能办理。' }
  }
  return fitsCase(rule, c) ? null : stateRefusal(op, c, action)
}

/** The status a possible action leads to. */
export function nextStatus(c: Pick<CaseFacts, 'status'>, action: CaseAction): ComplaintStatus {
  return caseMachine[action].to ?? c.status
}
