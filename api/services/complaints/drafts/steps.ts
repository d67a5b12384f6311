import type { ComplaintField, ComplaintFormValues } from '../submit.ts'

/**
 * The short steps a complaint is filled in on the site (issue 23, GOV.UK "question pages"), in
 * order; the check page (核对您的信息) follows the last.
 */
export const complaintSteps = ['what', 'where', 'about', 'photos'] as const
export type ComplaintStep = (typeof complaintSteps)[number]

/** The text fields each step asks; the photo step asks for files only. */
export const stepFields: Record<ComplaintStep, readonly ComplaintField[]> = {
  // 发生了什么
  what: [
    'kind',
    'category',
    'occurredAt',
    'description',
    'claimedQuantity',
    'measuredQuantity',
    'unit',
    'unitPrice',
    'website',
  ],
  // 在哪里
  where: ['merchantName', 'merchantUscc', 'county', 'address'],
  // 关于您
  about: ['name', 'phone', 'smsUpdates', 'consent'],
  // 照片
  photos: [],
}

export const stepTitles: Record<ComplaintStep, string> = {
  what: '发生了什么',
  where: '在哪里',
  about: '关于您',
  photos: '照片',
}

/** The step that asks `field` (photos for the photo field and anything unknown). */
export function stepOf(field: string): ComplaintStep {
  return complaintSteps.find((s) => stepFields[s].includes(field as ComplaintField)) ?? 'photos'
}

/**
 * Valid answers standing in for the fields of the other steps while one step is checked, so that
 * the schema's cross-field rules (which zod runs only once every field is valid) are checked for
 * this step's fields too. Problems are then kept for this step's fields alone.
 */
export function standInValues(now: Date): ComplaintFormValues {
  const hourAgo = new Date(now.getTime() - 3600_000 + 8 * 3600_000).toISOString().slice(0, 16)
  return {
    kind: 'report',
    category: 'other',
    occurredAt: hourAgo,
    description: '代替其他步骤的内容，用于检查本步骤。',
    merchantName: '代替',
    county: '331102',
    address: '代替',
    consent: 'on',
  }
}

/** The step after `step`, or 'check' after the last. */
export function nextAfter(step: ComplaintStep): ComplaintStep | 'check' {
  const i = complaintSteps.indexOf(step)
  return complaintSteps[i + 1] ?? 'check'
}

export const stepUrl = (step: ComplaintStep) => `/complaints/steps/${step}`
export const checkUrl = '/complaints/check'
