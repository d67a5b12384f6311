import type { ComplaintKind, ComplaintStatus, OperatorRole } from '../../../../db/database.ts'
import { complaintStatusLabels, kindLabels } from '../../complaints/labels.ts'
import { maySeeCounty, type SignedInOperator } from '../access.ts'

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
] as const
export type CaseAction = (typeof caseActions)[number]

/** The input fields an action takes besides `action` and `version`. */
export type CaseField =
  'reason' | 'note' | 'county' | 'mediationResult' | 'handlingResult' | 'publicReply'

export interface ActionRule {
  /** Its name in the console. */
  label: string
  /** The statuses it may start from. */
  from: readonly ComplaintStatus[]
  /** The kinds of case it applies to: mediation is for a 投诉, verification for a 举报. */
  kinds: readonly ComplaintKind[]
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
const handlers: readonly OperatorRole[] = ['city_admin', 'county_handler']
const open: readonly ComplaintStatus[] = ['received', 'accepted', 'in_progress']

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
    roles: handlers,
    fields: {},
    entry: { kind: 'accepted', isPublic: true },
  },
  reject: {
    label: '不予受理',
    from: ['received'],
    kinds: both,
    to: 'rejected',
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
    roles: handlers,
    fields: { county: 'required', note: 'optional' },
    entry: { kind: 'assigned', isPublic: false },
  },
  note: {
    label: '内部备注',
    from: ['received', 'accepted', 'rejected', 'in_progress', 'resolved'],
    kinds: both,
    to: null,
    roles: handlers,
    fields: { note: 'required' },
    entry: { kind: 'note', isPublic: false },
  },
  mediate: {
    label: '记录调解结果',
    from: ['accepted', 'in_progress'],
    kinds: ['complaint'],
    to: 'in_progress',
    roles: handlers,
    fields: { mediationResult: 'required', note: 'required' },
    entry: { kind: 'mediated', isPublic: false },
  },
  start: {
    label: '开始核查',
    from: ['accepted'],
    kinds: ['report'],
    to: 'in_progress',
    roles: handlers,
    fields: {},
    entry: { kind: 'in_progress', isPublic: true },
  },
  complete: {
    label: '办结',
    from: ['accepted', 'in_progress'],
    kinds: both,
    to: 'resolved',
    roles: handlers,
    fields: { handlingResult: 'required', publicReply: 'required' },
    entry: { kind: 'resolved', isPublic: true },
  },
  close: {
    label: '归档',
    from: ['resolved', 'rejected'],
    kinds: both,
    to: 'closed',
    roles: handlers,
    fields: {},
    entry: { kind: 'closed', isPublic: true },
  },
}

/** What the machine needs to know about a case. */
export interface CaseFacts {
  status: ComplaintStatus
  kind: ComplaintKind
  countyCode: string
}

export interface Refusal {
  /** FORBIDDEN: not this operator's to do; CONFLICT: not possible in the case's current state. */
  code: 'FORBIDDEN' | 'CONFLICT'
  message: string
}

const fitsCase = (rule: ActionRule, c: Pick<CaseFacts, 'status' | 'kind'>) =>
  rule.from.includes(c.status) && rule.kinds.includes(c.kind)

/** The actions the case's status and kind allow, whoever asks. */
export function possibleActions(c: Pick<CaseFacts, 'status' | 'kind'>): CaseAction[] {
  return caseActions.filter((a) => fitsCase(caseMachine[a], c))
}

/** The actions this operator may take on this case now. */
export function allowedActions(op: SignedInOperator, c: CaseFacts): CaseAction[] {
  return caseActions.filter((a) => refusalOf(op, c, a) === null)
}

const quoted = (s: string) => `“${s}”`

function stateRefusal(c: CaseFacts, action: CaseAction): Refusal {
  const rule = caseMachine[action]
  const now = `本案是${kindLabels[c.kind]}，当前状态为${quoted(complaintStatusLabels[c.status])}`
  const why = rule.kinds.includes(c.kind)
    ? ''
    : `（${quoted(rule.label)}只适用于${rule.kinds.map((k) => kindLabels[k]).join('、')}）`
  const possible = possibleActions(c).map((a) => quoted(caseMachine[a].label))
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
  return fitsCase(rule, c) ? null : stateRefusal(c, action)
}

/** The status a possible action leads to. */
export function nextStatus(c: Pick<CaseFacts, 'status'>, action: CaseAction): ComplaintStatus {
  return caseMachine[action].to ?? c.status
}
