import { directoryFacets } from '../../api/services/directory/facets.ts'
import {
  categoryLabels,
  complaintCategories,
  complaintKinds,
  kindExplanations,
  kindLabels,
  quantityUnits,
  unitLabels,
} from '../../api/domain/complaints.ts'
import type { ComplaintField, ComplaintFormValues } from '../../api/services/complaints/submit.ts'
import type { FieldProblem } from '../../api/validation.ts'
import { stepUrl } from '../../api/services/complaints/drafts/steps.ts'
import { serviceContext } from './services.ts'

/** The form's text fields are the API's fields, read by the one complaint-form reader. */
export type { ComplaintFormValues, FieldProblem }

export interface Option {
  value: string
  label: string
}

export const newComplaintUrl = '/complaints/new'
export const submitComplaintUrl = '/complaints/submit'
/**
 * A complaint in steps about a business, filled in with it (linked from its page and its plaque
 * check). The one-page form still takes `?business=` too, for links made before.
 */
export const complaintAboutUrl = (uscc: string) =>
  `${stepUrl('what')}?business=${encodeURIComponent(uscc)}`
export const trackComplaintUrl = '/complaints/track'
/** 找回查询码: with the tracking number and the phone left at filing, by SMS. */
export const recoverQueryCodeUrl = '/complaints/recover'
export const privacyUrl = '/complaints/privacy'

export const receiptUrl = (trackingNo: string) =>
  `/complaints/receipt/${encodeURIComponent(trackingNo)}`

export const kindOptions = complaintKinds.map((kind) => ({
  value: kind,
  label: kindLabels[kind],
  explanation: kindExplanations[kind],
}))

export const categoryOptions: Option[] = complaintCategories.map((c) => ({
  value: c,
  label: categoryLabels[c],
}))

export const unitOptions: Option[] = quantityUnits.map((u) => ({ value: u, label: unitLabels[u] }))

/** 市本级: the directory shows it only when it lists businesses, but anyone may complain to it. */
const cityLevel: Option = { value: '331100', label: '丽水市本级' }

/** The nine counties in their usual order, then the city level. */
export async function loadComplaintCounties(): Promise<Option[]> {
  const facets = await directoryFacets({ ctx: serviceContext() })
  const counties = facets.counties
    .filter((c) => c.value !== cityLevel.value)
    .map((c) => ({ value: c.value, label: c.label }))
  return [...counties, cityLevel]
}

/** The id of the control a problem with `field` points to (the first radio of a group). */
export function controlId(field: string): string {
  if (field === 'kind') return 'complaint-kind-complaint'
  return `complaint-${field}`
}

/** Problems in the order of the form's fields, each reported once. */
export function inFormOrder(problems: readonly FieldProblem[]): FieldProblem[] {
  const rank = (field: string) => {
    const i = formOrder.indexOf(field)
    return i < 0 ? formOrder.length : i
  }
  const seen = new Set<string>()
  const unique = problems.filter((p) => {
    const key = `${p.field}\n${p.message}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
  return unique.sort((a, b) => rank(a.field) - rank(b.field))
}

/**
 * The words a field's label carries, for the error summary ("电话：请填写…"), in the order the
 * fields appear on the form, so the summary reads top to bottom.
 */
const fieldNames: Record<ComplaintField | 'photos', string> = {
  kind: '投诉还是举报',
  category: '问题类别',
  merchantName: '商户或单位名称',
  merchantUscc: '统一社会信用代码',
  county: '事发区县',
  address: '事发地址',
  occurredAt: '发生时间',
  description: '事情经过',
  claimedQuantity: '标称数量',
  measuredQuantity: '实际数量',
  unit: '计量单位',
  unitPrice: '单价',
  photos: '照片',
  name: '姓名',
  phone: '电话',
  smsUpdates: '办理进展短信',
  consent: '个人信息保护说明',
  website: '网址',
}

/** Every field of the form, top to bottom. */
const formOrder: readonly string[] = Object.keys(fieldNames)

export function fieldName(field: string): string {
  return field in fieldNames ? fieldNames[field as ComplaintField] : '填写内容'
}
