import { categoryLabels, kindLabels, unitLabels } from '../../api/domain/complaints.ts'
import type { DraftAnswers } from '../../api/services/complaints/drafts/store.ts'
import type { ComplaintStep } from '../../api/services/complaints/drafts/steps.ts'
import { isMobileNumber } from '../../api/domain/sms.ts'
import { phoneField } from '../../api/services/complaints/schemas.ts'
import type { Option } from './complaints.ts'

/** One answer on the check page (核对您的信息), with the step that changes it. */
export interface CheckRow {
  label: string
  value: string
  step: ComplaintStep
}

const lookUp = <K extends string>(labels: Record<K, string>, value: string | undefined) =>
  value && value in labels ? labels[value as K] : (value ?? '')

/** 'YYYY-MM-DDTHH:mm' as a resident reads it: 2026年11月20日 09:30. */
function occurredText(value: string | undefined): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}:\d{2})/.exec(value ?? '')
  return m ? `${m[1]!}年${Number(m[2])}月${Number(m[3])}日 ${m[4]!}` : (value ?? '')
}

/** What the resident's SMS choice comes to, with the phone they gave. */
function smsChoiceText(v: DraftAnswers['values']): string {
  const phone = phoneField.safeParse(v.phone)
  if (!phone.success || phone.data === undefined) return '未留手机号，不发送'
  if (!isMobileNumber(phone.data)) return '固定电话收不到短信，不发送'
  return v.smsUpdates === 'no' ? '不接收' : '接收'
}

/** The answers of a draft, step by step, as the check page lists them. */
export function checkRows(answers: DraftAnswers, counties: readonly Option[]): CheckRow[] {
  const v = answers.values
  const notGiven = '未填写'
  const figures =
    v.claimedQuantity || v.measuredQuantity
      ? `标称 ${v.claimedQuantity ?? ''}，复秤 ${v.measuredQuantity ?? ''} ${lookUp(unitLabels, v.unit)}` +
        (v.unitPrice ? `，单价 ${v.unitPrice} 元` : '')
      : notGiven
  return [
    { step: 'what', label: '投诉还是举报', value: lookUp(kindLabels, v.kind) },
    { step: 'what', label: '问题类别', value: lookUp(categoryLabels, v.category) },
    { step: 'what', label: '发生时间', value: occurredText(v.occurredAt) },
    { step: 'what', label: '事情经过', value: v.description ?? '' },
    { step: 'what', label: '短斤缺两的数字', value: figures },
    { step: 'where', label: '商户或单位名称', value: v.merchantName ?? '' },
    { step: 'where', label: '统一社会信用代码', value: v.merchantUscc || notGiven },
    {
      step: 'where',
      label: '事发区县',
      value: counties.find((c) => c.value === v.county)?.label ?? v.county ?? '',
    },
    { step: 'where', label: '事发地址', value: v.address ?? '' },
    { step: 'about', label: '姓名', value: v.name || notGiven },
    { step: 'about', label: '电话', value: v.phone || notGiven },
    { step: 'about', label: '办理进展短信', value: smsChoiceText(v) },
    {
      step: 'about',
      label: '个人信息保护说明',
      value: v.consent === 'on' ? '已阅读并同意' : '未同意',
    },
    {
      step: 'photos',
      label: '照片',
      value:
        answers.photos.length > 0
          ? answers.photos.map((p, i) => `照片 ${i + 1}：${p.name}`).join('；')
          : '未添加',
    },
  ]
}
