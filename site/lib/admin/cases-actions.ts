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
import type { CaseDetail } from '../../../api/services/admin/cases/schemas.ts'
import { mediationResults } from '../../../db/database.ts'
import type { Option } from './cases-queue.ts'

/** One input of an action's form. */
export interface ActionField {
  name: CaseField
  /** The control's id: unique on the page, since every action has its own form. */
  id: string
  label: string
  hint?: string
  control: 'textarea' | 'select' | 'radio'
  options?: Option[]
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
  close: () => '归档后案件不能再做任何操作。',
}

const labels: Partial<Record<`${CaseAction}.${CaseField}`, { label: string; hint?: string }>> = {
  'reject.reason': { label: '不予受理理由' },
  'reject.note': { label: '说明（公开）', hint: '投诉举报人会在查询页看到这段话。' },
  'assign.county': { label: '指派到' },
  'assign.note': { label: '指派说明（内部，可不填）' },
  'note.note': { label: '备注内容（内部）' },
  'mediate.mediationResult': { label: '调解结果' },
  'mediate.note': { label: '调解情况（内部）' },
  'complete.handlingResult': { label: '办理结果（内部存档）' },
  'complete.publicReply': {
    label: '给投诉举报人的答复（公开）',
    hint: '投诉举报人会在查询页看到这段答复。',
  },
}

function optionsOf(field: CaseField, counties: Option[], c: CaseDetail): Option[] | undefined {
  if (field === 'reason') {
    return rejectionReasons.map((r) => ({ value: r, label: rejectionReasonLabels[r] }))
  }
  if (field === 'mediationResult') {
    return mediationResults.map((r) => ({ value: r, label: mediationResultLabels[r] }))
  }
  if (field === 'county') return counties.filter((o) => o.value !== c.countyCode)
  return undefined
}

const controlOf = (field: CaseField): ActionField['control'] =>
  field === 'mediationResult'
    ? 'radio'
    : field === 'reason' || field === 'county'
      ? 'select'
      : 'textarea'

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
      return {
        name: field,
        id: `${action}-${field}`,
        label: shown.label,
        ...(shown.hint ? { hint: shown.hint } : {}),
        control: controlOf(field),
        ...(options ? { options } : {}),
        required: need === 'required',
      }
    }),
  }))
}
