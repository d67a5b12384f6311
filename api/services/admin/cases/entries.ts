import type { ComplaintKind, ComplaintStatus } from '../../../../db/database.ts'
import { beijingDate } from '../../../domain/beijing-time.ts'
import { mediationResultLabels, rejectionReasonLabels } from './labels.ts'
import { caseMachine } from './machine.ts'
import type { CaseActionInput } from './schemas.ts'

export interface TimelineEntry {
  kind: string
  isPublic: boolean
  note: string
}

export interface EntryContext {
  kind: ComplaintKind
  from: ComplaintStatus
  to: ComplaintStatus
  /** The due date after the action. */
  dueAt: Date
  /** The name of the county a case is assigned to. */
  countyName?: string
}

/** The text of an action's own entry. Public texts are written for the resident who filed it. */
function noteOf(input: CaseActionInput, c: EntryContext): string {
  const dueDate = beijingDate(c.dueAt)
  switch (input.action) {
    case 'accept':
      return c.kind === 'complaint'
        ? `您的投诉已受理。我们将组织您与商户调解，调解在 ${dueDate} 前结束（受理后 45 个工作日内，节假日不计）。`
        : `您的举报已受理。我们将核查线索，在 ${dueDate} 前作出是否立案的决定。`
    case 'reject':
      return `不予受理。理由：${rejectionReasonLabels[input.reason!]}。${input.note!}`
    case 'assign':
      return [`指派给${c.countyName ?? input.county!}办理。`, input.note].filter(Boolean).join('')
    case 'note':
      return input.note!
    case 'mediate':
      return `${mediationResultLabels[input.mediationResult!]}。${input.note!}`
    case 'start':
      return `已开始核查您举报的线索，将在 ${dueDate} 前作出是否立案的决定。`
    case 'complete':
      return input.publicReply!
    case 'close':
      return '本案已办结归档。'
    case 'sign':
      return '已签收 12345 热线转来的工单，正在办理。'
    case 'request_return':
      return `向 12345 热线申请退单。理由：${input.returnReason!}\n依据：${input.legalBasis!}`
    case 'request_extension':
      return `向 12345 热线申请延期 ${input.days!} 天。理由：${input.extensionReason!}`
    case 'report_progress':
      return input.note!
    case 'report_completion':
      return input.publicReply!
    case 'correct_contact': {
      const which = [input.name !== undefined && '姓名', input.phone !== undefined && '电话']
      return `应投诉举报人本人申请，更正了${which.filter(Boolean).join('和')}。${input.note!}`
    }
    case 'erase_personal_data':
      return `应投诉举报人本人申请，删除其姓名、电话、诉求内容、地址和照片，办理记录中的姓名和电话号码一并去除。${input.note!}`
    case 'hold_erasure':
      return `暂缓删除投诉举报人的个人信息：解除前，保存期限届满或本人申请都不删除。原因：${input.note!}`
    case 'lift_erasure_hold':
      return `解除暂缓删除：已满保存期限的个人信息将在下一次定期清理时删除。${input.note!}`
  }
}

/** What the citizen reads when an internal action moves the case on. */
const statusNotes: Partial<Record<ComplaintStatus, Record<ComplaintKind, string>>> = {
  in_progress: { complaint: '正在组织调解。', report: '正在核查。' },
}

/**
 * The timeline entries an action writes: its own (public or internal, per the state machine),
 * and, when an internal action changes the status, a public entry that names the new status
 * without the internal details.
 */
export function entriesFor(input: CaseActionInput, c: EntryContext): TimelineEntry[] {
  const rule = caseMachine[input.action]
  const own = { ...rule.entry, note: noteOf(input, c) }
  if (rule.entry.isPublic || c.from === c.to) return [own]
  return [own, { kind: c.to, isPublic: true, note: statusNotes[c.to]?.[c.kind] ?? '' }]
}
