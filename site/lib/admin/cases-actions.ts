import {
  mediationResultLabels,
  rejectionReasonLabels,
  rejectionReasons,
} from '../../../api/services/admin/cases/labels.ts'
import {
  caseMachine,
  type CaseAction,
  type CaseField,
} from '../../../api/services/admin/cases/machine.ts'
import {
  caseTextLimits,
  maxExtensionDays,
  type CaseDetail,
} from '../../../api/services/admin/cases/schemas.ts'
import { maxNameLength } from '../../../api/services/complaints/schemas.ts'
import { mediationResults } from '../../../api/domain/complaints.ts'
import {
  caseFindingLabels,
  caseFindings,
  caseFollowUpLabels,
  caseFollowUps,
} from '../../../api/domain/credit.ts'
import type { Option } from './cases-queue.ts'

/** One input of an action's form. */
interface ActionField {
  name: CaseField
  /** The control's id: unique on the page, since every action has its own form. */
  id: string
  label: string
  hint?: string
  control: 'textarea' | 'select' | 'radio' | 'number' | 'datetime' | 'text' | 'tel'
  options?: Option[]
  /** The longest text a textarea takes (the API's limit). */
  maxLength?: number
  required: boolean
}

export interface ActionForm {
  action: CaseAction
  label: string
  /** What happens, in one sentence, and who will read what. */
  explanation: string
  fields: ActionField[]
}

const explanations: Record<CaseAction, (c: CaseDetail) => string> = {
  accept: (c) =>
    c.kind === 'complaint'
      ? '受理后进入调解，办理期限改为受理之日起 45 个工作日。投诉人会在查询页看到“已受理”。'
      : '受理后开始核查线索，办理期限仍为收到后 15 个工作日。举报人会在查询页看到“已受理”。',
  reject: () => '不予受理的理由和说明会公开给投诉举报人，请写清原因和可以去哪里反映。',
  assign: () => '把案件转给其他区县办理；指派说明只在内部可见。指派后本区县将看不到这个案件。',
  note: () => '内部备注只有办案人员能看到，不会告知投诉举报人。',
  mediate: () => '调解情况只在内部可见；投诉人只会看到“办理中”。',
  start: () => '举报人会在查询页看到“办理中”，期限仍为收到后 15 个工作日。',
  complete: () => '办理结果只在内部存档；答复会原样公开给投诉举报人，请不要写入他人的个人信息。',
  close: () => '归档后案件不能再办理。',
  sign: () =>
    '签收后向 12345 热线回复“已签收”，投诉举报人会看到“已受理”。请在热线规定的时限内签收。',
  request_return: () =>
    '不属于本部门职责的工单，可以申请退回 12345 热线，由热线审核。理由和依据会发给热线，不会公开给诉求人。',
  request_extension: () =>
    '不能在办结期限内办完时，向 12345 热线申请延期，由热线审核；获批后办结期限随之调整。',
  report_progress: () => '过程反馈会发给 12345 热线，并公开给诉求人，请不要写入他人的个人信息。',
  report_completion: () =>
    '办结反馈会发给 12345 热线；答复会公开给诉求人，请不要写入他人的个人信息。热线会据此回访诉求人。',
  correct_contact: () =>
    '投诉举报人本人申请更正或补充姓名、电话时使用（《个人信息保护法》第四十六条）：新的姓名和电话加密保存，页面上仍遮盖显示；不改的一项留空。',
  erase_personal_data: () =>
    '投诉举报人本人申请删除个人信息（《个人信息保护法》第四十七条）并已核实身份时使用：删除其姓名、电话、诉求内容、地址和照片，办理记录中的姓名和电话号码一并去除，删除后无法恢复。办理记录和统计信息保留。',
  hold_erasure: () =>
    '案件进入行政复议、行政诉讼，或有关机关调取案卷时使用：解除之前，保存期限届满不删除，本人申请也不删除投诉举报人的个人信息。',
  lift_erasure_hold: () =>
    '复议、诉讼等已经结束时使用：解除后，已满保存期限的个人信息将在下一次定期清理时删除，本人也可以再申请删除。',
}

// 查实/部分查实 cases that name a business by its credit code go on its public credit record.
const findingLabel = {
  label: '核查认定',
  hint: '归档后，“查实”“部分查实”的案件会列入被投诉单位的公开信用记录（只公开日期、问题类别、认定和后续处理，不公开投诉举报人的任何信息）。',
}
const followUpLabel = {
  label: '后续处理',
  hint: '立案查处的，行政处罚录入时可填写本案的受理编号。',
}

const labels: Partial<Record<`${CaseAction}.${CaseField}`, { label: string; hint?: string }>> = {
  'reject.reason': { label: '不予受理理由' },
  'reject.note': { label: '说明（公开）', hint: '投诉举报人会在查询页看到这段话。' },
  'assign.county': { label: '指派到' },
  'assign.note': { label: '指派说明（内部，可不填）' },
  'note.note': { label: '备注内容（内部）' },
  'mediate.mediationResult': { label: '调解结果' },
  'mediate.note': { label: '调解情况（内部）' },
  'complete.finding': findingLabel,
  'complete.followUp': followUpLabel,
  'complete.handlingResult': { label: '办理结果（内部存档）' },
  'complete.publicReply': {
    label: '给投诉举报人的答复（公开）',
    hint: '投诉举报人会在查询页看到这段答复。',
  },
  'request_return.returnReason': { label: '退单理由' },
  'request_return.legalBasis': {
    label: '退单依据',
    hint: '写明法律法规或部门职责的规定，例如“《计量法》第四条：不属于市场监管部门职责”。',
  },
  'request_extension.days': { label: '申请延期天数', hint: `1 到 ${maxExtensionDays} 天。` },
  'request_extension.extensionReason': { label: '延期理由' },
  'report_progress.note': { label: '办理进展（发给热线并公开）' },
  'report_completion.finding': findingLabel,
  'report_completion.followUp': followUpLabel,
  'report_completion.resolved': { label: '问题是否已解决' },
  'report_completion.handlingResult': { label: '办理情况（发给热线）' },
  'report_completion.publicReply': {
    label: '给诉求人的答复（公开）',
    hint: '热线和诉求人都会看到这段答复。',
  },
  'correct_contact.name': { label: '更正后的姓名（不改则留空）' },
  'correct_contact.phone': {
    label: '更正后的电话（不改则留空）',
    hint: '11 位手机号，或带区号的固定电话（如 0578-2123456）。',
  },
  'correct_contact.note': {
    label: '更正申请情况（内部）',
    hint: '写明申请途径和身份核实方式；不要写入姓名和电话。',
  },
  'erase_personal_data.note': {
    label: '申请情况（内部）',
    hint: '写明申请途径（如 12345 工单号）、申请日期和身份核实方式；不要写入申请人的姓名和电话。',
  },
  'hold_erasure.note': {
    label: '暂缓原因（内部）',
    hint: '写明复议、诉讼的案号或调取案卷的机关和文号；不要写入投诉举报人的姓名和电话。',
  },
  'lift_erasure_hold.note': {
    label: '解除原因（内部）',
    hint: '写明复议、诉讼的结果或结束日期。',
  },
  'report_completion.contactedAt': {
    label: '联系诉求人的时间',
    hint: '北京时间，例如 2026-11-27 10:30。',
  },
}

const yesNoOptions: Option[] = [
  { value: 'true', label: '是' },
  { value: 'false', label: '否' },
]

/** The longest text each free-text field takes, as the verbs' schemas say. */
const maxLengths: Partial<Record<CaseField, number>> = { ...caseTextLimits, name: maxNameLength }

/**
 * A phone has no length limit in its schema (its pattern decides), so its box only stops
 * runaway typing: room for spaces, a +86 prefix and an extension dash.
 */
const phoneBoxLength = 20

function optionsOf(field: CaseField, counties: Option[], c: CaseDetail): Option[] | undefined {
  if (field === 'reason') {
    return rejectionReasons.map((r) => ({ value: r, label: rejectionReasonLabels[r] }))
  }
  if (field === 'mediationResult') {
    return mediationResults.map((r) => ({ value: r, label: mediationResultLabels[r] }))
  }
  if (field === 'county') return counties.filter((o) => o.value !== c.countyCode)
  if (field === 'finding')
    return caseFindings.map((f) => ({ value: f, label: caseFindingLabels[f] }))
  if (field === 'followUp') {
    return caseFollowUps.map((f) => ({ value: f, label: caseFollowUpLabels[f] }))
  }
  if (field === 'resolved') return yesNoOptions
  return undefined
}

function controlOf(field: CaseField): ActionField['control'] {
  switch (field) {
    case 'mediationResult':
    case 'resolved':
      return 'radio'
    case 'finding':
    case 'followUp':
    case 'reason':
    case 'county':
      return 'select'
    case 'days':
      return 'number'
    case 'contactedAt':
      return 'datetime'
    case 'name':
      return 'text'
    case 'phone':
      return 'tel'
    default:
      return 'textarea'
  }
}

/** One form for each action the operator may take now, fields as the state machine lists them. */
export function actionForms(c: CaseDetail, counties: Option[]): ActionForm[] {
  return c.allowedActions.map(({ action, label }) => ({
    action,
    label,
    explanation: explanations[action](c),
    fields: Object.entries(caseMachine[action].fields).map(([name, need]) => {
      const field = name as CaseField
      const shown = labels[`${action}.${field}`] ?? { label: field }
      const options = optionsOf(field, counties, c)
      const maxLength = field === 'phone' ? phoneBoxLength : maxLengths[field]
      return {
        name: field,
        id: `${action}-${field}`,
        label: shown.label,
        ...(shown.hint ? { hint: shown.hint } : {}),
        control: controlOf(field),
        ...(options ? { options } : {}),
        ...(maxLength ? { maxLength } : {}),
        required: need === 'required',
      }
    }),
  }))
}

/**
 * The actions that move a case along, in the order its life calls for them: 签收 a work order,
 * 受理 a web case, 开始核查 a report, then 办结 (or its 12345 反馈), then 归档. The first one a
 * case allows is its next step; everything else (备注, 指派, 调解, requests to the hotline,
 * personal data) is done now and then and waits behind a disclosure.
 */
const nextStepOrder: readonly CaseAction[] = [
  'sign',
  'accept',
  'start',
  'complete',
  'report_completion',
  'close',
]

/** The case page's forms split into the one next step (if any) and the others. */
export function splitActionForms(forms: readonly ActionForm[]): {
  next: ActionForm | undefined
  others: ActionForm[]
} {
  const rank = (f: ActionForm) => nextStepOrder.indexOf(f.action)
  const next = forms
    .filter((f) => rank(f) >= 0)
    .sort((a, b) => rank(a) - rank(b))
    .at(0)
  return { next, others: forms.filter((f) => f !== next) }
}
