import {
  findOpen311Requests,
  type Open311RequestFilters,
  type Open311RequestRow,
} from '../../../db/queries/open311.ts'
import type { ServiceContext } from '../../deps.ts'
import { beijingDate, beijingIso } from '../../domain/beijing-time.ts'
import {
  categoryLabels,
  complaintCategories,
  complaintStatusLabels,
  openComplaintStatuses,
  type ComplaintCategory,
  type ComplaintStatus,
} from '../../domain/complaints.ts'
import { countyNames } from '../../domain/counties.ts'
import { maskPersonalNumbers } from '../../domain/masks.ts'
import {
  complaintStatusesOf,
  countyBureauName,
  open311StatusOf,
  type Open311Status,
} from '../../domain/open311.ts'
import { normalizeTrackingNo, trackingNoPattern } from '../../domain/tracking-codes.ts'
import { ApiError } from '../../errors.ts'
import { rejectionReasonLabels, type RejectionReason } from '../admin/cases/labels.ts'
import { clientOfKey, countOpen311Call, type Open311Client } from './keys.ts'

/**
 * A request as the public GET endpoints answer it. The specification's answer is public, so it
 * holds only what anyone may read: the status, the Chinese status with the published reply once
 * the case was handled, the service, the bureau, and the times. Never the description, the
 * address, the merchant, the name or the phone: the resident wrote them for the bureau only.
 */
export interface Open311RequestView {
  service_request_id: string
  status: Open311Status
  status_notes: string
  service_name: string
  service_code: ComplaintCategory
  agency_responsible: string
  requested_datetime: string
  updated_datetime: string
  /** The legal deadline, while the case is open. */
  expected_datetime?: string
}

const isOpen = (status: ComplaintStatus) =>
  (openComplaintStatuses as readonly ComplaintStatus[]).includes(status)

/** The detailed status in Chinese; once handled, with the reply the bureau published. */
function statusNotes(row: Open311RequestRow): string {
  const label = complaintStatusLabels[row.status]
  if (isOpen(row.status)) return `${label}，办理期限 ${beijingDate(row.dueAt)}。`
  if (row.status === 'rejected') {
    const reason = rejectionReasonLabels[row.rejectionReason as RejectionReason] as
      string | undefined
    return reason ? `${label}。理由：${reason}。` : `${label}。`
  }
  // The reply is written to the resident and shown to every handler; numbers in it are masked
  // here too, as anywhere text may reach someone who may not read them (masks.ts).
  if (row.publicReply) return `${label}。答复：${maskPersonalNumbers(row.publicReply)}`
  return `${label}。`
}

function open311RequestView(row: Open311RequestRow): Open311RequestView {
  return {
    service_request_id: row.trackingNo,
    status: open311StatusOf[row.status],
    status_notes: statusNotes(row),
    service_name: categoryLabels[row.category],
    service_code: row.category,
    agency_responsible: countyBureauName(countyNames[row.countyCode] ?? row.countyCode),
    requested_datetime: beijingIso(row.receivedAt),
    updated_datetime: beijingIso(row.updatedAt),
    ...(isOpen(row.status) ? { expected_datetime: beijingIso(row.dueAt) } : {}),
  }
}

/** Who is asking: an app by its key (optional on GET), else a client address. */
async function callerOf(
  ctx: ServiceContext,
  input: { apiKey?: string | undefined; clientAddress: string },
): Promise<Open311Client | undefined> {
  const key = input.apiKey?.trim()
  const client = key ? await clientOfKey(ctx, key) : undefined
  await countOpen311Call(ctx, { client, clientAddress: input.clientAddress })
  return client
}

/** `GET requests/{id}`: one request filed through Open311; 404 for any other number. */
export async function getOpen311Request({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { id: string; apiKey?: string | undefined; clientAddress: string }
}): Promise<Open311RequestView[]> {
  await callerOf(ctx, input)
  const trackingNo = normalizeTrackingNo(input.id.slice(0, 60))
  const rows = trackingNoPattern.test(trackingNo)
    ? await findOpen311Requests(ctx.db, { trackingNos: [trackingNo], limit: 1 })
    : []
  if (rows.length === 0) {
    throw new ApiError('NOT_FOUND', `没有编号为“${input.id.slice(0, 40)}”的 Open311 服务请求。`)
  }
  return rows.map(open311RequestView)
}

/** At most this many requests in one answer, and this many days between the two dates. */
const maxResults = 1000
const maxDays = 90
const maxIds = 100

const listOf = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '')

const refusal = (field: string, message: string) =>
  new ApiError('VALIDATION_FAILED', message, [{ field, message }])

function dateOf(field: string, value: string | undefined): Date | undefined {
  if (value === undefined || value.trim() === '') return undefined
  const text = value.trim()
  const date = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)
    ? new Date(text)
    : undefined
  if (!date || Number.isNaN(date.getTime())) {
    throw refusal(field, `${field} 应为 W3C 日期时间，例如 2026-12-01T00:00:00+08:00。`)
  }
  return date
}

/** The query's filters, as the specification defines them. */
function filtersOf(query: Readonly<Record<string, string | undefined>>): Open311RequestFilters {
  const ids = listOf(query.service_request_id)
  if (ids.length > 0) {
    // With ids, the other filters are ignored (GeoReport v2).
    if (ids.length > maxIds) {
      throw refusal('service_request_id', `一次最多查询 ${maxIds} 个服务请求编号。`)
    }
    return { trackingNos: ids.map((id) => normalizeTrackingNo(id.slice(0, 60))), limit: maxIds }
  }
  const codes = listOf(query.service_code)
  const unknownCode = codes.find((c) => !(complaintCategories as readonly string[]).includes(c))
  if (unknownCode !== undefined) {
    throw refusal(
      'service_code',
      `没有服务代码“${unknownCode.slice(0, 40)}”，请查看 services 列表。`,
    )
  }
  const states = listOf(query.status)
  if (states.some((s) => s !== 'open' && s !== 'closed')) {
    throw refusal('status', 'status 只能是 open 或 closed（可用逗号分隔）。')
  }
  const until = dateOf('end_date', query.end_date) ?? new Date()
  const from =
    dateOf('start_date', query.start_date) ?? new Date(until.getTime() - maxDays * 86_400_000)
  if (from > until) throw refusal('start_date', 'start_date 不能晚于 end_date。')
  if (until.getTime() - from.getTime() > maxDays * 86_400_000) {
    throw refusal('start_date', `start_date 与 end_date 最多相隔 ${maxDays} 天。`)
  }
  return {
    ...(codes.length > 0 ? { categories: codes as ComplaintCategory[] } : {}),
    ...(states.length > 0
      ? { statuses: states.flatMap((s) => complaintStatusesOf(s as Open311Status)) }
      : {}),
    receivedFrom: from,
    receivedUntil: until,
    limit: maxResults,
  }
}

/**
 * `GET requests`: the requests filed through Open311 (by any app: the answer is public and holds
 * nothing personal), newest first; complaints filed on the web or through 12345 are not listed,
 * as their residents did not file them through an app. Without ids, the last 90 days.
 */
export async function listOpen311Requests({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: {
    query: Readonly<Record<string, string | undefined>>
    apiKey?: string | undefined
    clientAddress: string
  }
}): Promise<Open311RequestView[]> {
  await callerOf(ctx, input)
  const filters = filtersOf(input.query)
  if (filters.trackingNos) {
    const wellFormed = filters.trackingNos.filter((n) => trackingNoPattern.test(n))
    if (wellFormed.length === 0) return []
    filters.trackingNos = wellFormed
  }
  return (await findOpen311Requests(ctx.db, filters)).map(open311RequestView)
}
