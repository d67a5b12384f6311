import { actionLabels } from '../../../api/services/admin/enterprises/actions.ts'
import type { Option } from '../../../api/services/admin/enterprises/options.ts'
import type {
  ConsoleEnterprise,
  EnterpriseAction,
} from '../../../api/services/admin/enterprises/schemas.ts'

interface FormField {
  name: string
  label: string
  control: 'text' | 'textarea' | 'date' | 'select'
  hint?: string
  options?: Option[]
  /** What the field holds when the form is first shown. */
  value: string
  maxlength?: number
}

export interface ActionForm {
  action: EnterpriseAction
  label: string
  explanation: string
  fields: FormField[]
}

const explanations: Record<EnterpriseAction, string> = {
  suspend: '暂停后，公开页面显示“暂停”及原因，直到恢复或撤销。',
  reinstate: '恢复后认定重新有效；若有效期已在暂停期间届满，则显示为“过期”，需再续期。',
  revoke: '撤销是最终决定：撤销后不能恢复、续期或修改。',
  renew: '续期后认定有效至新的日期。暂停中的单位需先恢复。',
  edit: '更正单位名称、地址、区县或行业。变更会记入公开的认定记录。',
}

const reasonField: FormField = {
  name: 'reason',
  label: '变更原因（必填）',
  control: 'textarea',
  hint: '写明依据，例如检查结论、决定书文号。原因会公开显示在该单位的认定记录中。',
  value: '',
  maxlength: 500,
}

/** One form per action the business's status allows, filled with its current values. */
export function actionForms(
  view: ConsoleEnterprise,
  options: { counties: Option[]; sectors: Option[] },
): ActionForm[] {
  return view.allowedActions.map((action) => {
    const extra: FormField[] = []
    if (action === 'renew') {
      extra.push({
        name: 'validUntil',
        label: '新的有效期至',
        control: 'date',
        hint: `应晚于今天${view.status === 'active' ? `和当前有效期（${view.validUntil}）` : ''}。`,
        value: '',
      })
    }
    if (action === 'edit') {
      extra.push(
        { name: 'name', label: '单位名称', control: 'text', value: view.name, maxlength: 200 },
        { name: 'address', label: '地址', control: 'text', value: view.address, maxlength: 500 },
        {
          name: 'county',
          label: '区县',
          control: 'select',
          options: options.counties,
          value: view.county,
        },
        {
          name: 'sector',
          label: '行业',
          control: 'select',
          options: options.sectors,
          value: view.sector,
        },
      )
    }
    return {
      action,
      label: actionLabels[action],
      explanation: explanations[action],
      fields: [...extra, reasonField],
    }
  })
}

/** The control's id on the page: `<action>-<field>`, which the error summary links to. */
export const fieldId = (action: string, field: string) => `${action}-${field}`
