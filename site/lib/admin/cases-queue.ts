import { ApiError } from '../../../api/errors.ts'
import { caseCountyScope, type SignedInOperator } from '../../../api/services/admin/access.ts'
import { listCasesInConsole } from '../../../api/services/admin/cases/console.ts'
import { type CaseQueue, type CaseQueueItem } from '../../../api/services/admin/cases/schemas.ts'
import {
  categoryLabels,
  complaintCategories,
  complaintChannels,
  complaintKinds,
  complaintStatusLabels,
  complaintStatuses,
  kindLabels,
  type ComplaintStatus,
} from '../../../api/domain/complaints.ts'
import { channelLabels } from '../../../api/services/admin/cases/labels.ts'
import { loadComplaintCounties } from '../complaints.ts'
import { serviceContext } from '../services.ts'
import { filterHref } from './auth-form.ts'
import type { ConsoleRequest } from './session.ts'

export const casesUrl = '/admin/cases'
export const caseUrl = (id: string) => `/admin/cases/${id}`

export interface Option {
  value: string
  label: string
}

export const statusOptions: Option[] = complaintStatuses.map((s) => ({
  value: s,
  label: complaintStatusLabels[s],
}))
export const kindOptions: Option[] = complaintKinds.map((k) => ({ value: k, label: kindLabels[k] }))
export const categoryOptions: Option[] = complaintCategories.map((c) => ({
  value: c,
  label: categoryLabels[c],
}))
export const channelOptions: Option[] = complaintChannels.map((c) => ({
  value: c,
  label: channelLabels[c],
}))

/** The filters as the form shows them again: strings, empty for "any". */
export type QueueForm = Record<
  'q' | 'status' | 'county' | 'category' | 'kind' | 'channel' | 'overdue' | 'dueSoon',
  string
>

export interface QueuePage {
  /** 200, 400 for a malformed filter, 403 for a county outside the operator's scope. */
  status: number
  form: QueueForm
  queue?: CaseQueue
  /** Why the list could not be shown, in words. */
  problem?: string
}

function formOf(params: URLSearchParams): QueueForm {
  const get = (name: string) => (params.get(name) ?? '').slice(0, 100)
  return {
    q: get('q'),
    status: get('status'),
    county: get('county'),
    category: get('category'),
    kind: get('kind'),
    channel: get('channel'),
    overdue: get('overdue') === '1' ? '1' : '',
    dueSoon: get('dueSoon') === '1' ? '1' : '',
  }
}

/**
 * The queue page's request: the GET form's fields, parsed by the same verb as GET
 * /api/admin/cases, which also applies the operator's scope.
 */
export async function loadQueuePage(
  url: URL,
  request: ConsoleRequest,
  pageSize = 20,
): Promise<QueuePage> {
  const form = formOf(url.searchParams)
  const input = { ...Object.fromEntries(url.searchParams), pageSize: String(pageSize) }
  try {
    const queue = await listCasesInConsole({ ctx: serviceContext(), request, input })
    return { status: 200, form, queue }
  } catch (error) {
    if (error instanceof ApiError && error.code === 'VALIDATION_FAILED') {
      const messages = (error.details as { message: string }[]).map((d) => d.message)
      const problem = `筛选条件有误：${[...new Set(messages)].join('；')}。请重新选择后再筛选。`
      return { status: 400, form, problem }
    }
    if (error instanceof ApiError && error.code === 'FORBIDDEN') {
      return { status: 403, form, problem: error.message }
    }
    throw error
  }
}

/** The queue's address with these filters (empty ones left out) and page. */
export const queueHref = (form: Partial<QueueForm>, page = 1) => filterHref(casesUrl, form, page)

/** "剩 3 个工作日", "今天到期", "已超期 2 个工作日": words, not only a colour. */
export function daysLeftText(item: Pick<CaseQueueItem, 'workingDaysLeft' | 'overdue'>): string {
  const n = item.workingDaysLeft
  if (n === null) return '已结束'
  if (item.overdue) return n < 0 ? `已超期 ${-n} 个工作日` : '已超期'
  return n === 0 ? '今天到期' : `剩 ${n} 个工作日`
}

export const statusLabel = (s: ComplaintStatus) => complaintStatusLabels[s]

/** Every county a case can be in (丽水市本级 included), for filters and assignment. */
export async function countyOptions(): Promise<Option[]> {
  return loadComplaintCounties()
}

/** "莲都区" for a county handler, "全市各区县" for a city-level operator. */
export async function scopeName(operator: SignedInOperator): Promise<string> {
  const county = caseCountyScope(operator)
  if (county === null) return '全市各区县'
  const found = (await countyOptions()).find((c) => c.value === county)
  return found?.label ?? county
}
