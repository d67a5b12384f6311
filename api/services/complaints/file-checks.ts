import { acceptPhotos, type AcceptedPhoto, type IncomingPhoto } from '../../photos/accept.ts'
import { PhotoRejected } from '../../photos/errors.ts'
import type { ServiceContext } from '../../deps.ts'
import { ApiError } from '../../errors.ts'
import { issueDetails } from '../../validation.ts'
import { knownCounty } from './counties.ts'
import { complaintInputSchema, contactRequired, type ComplaintInput } from './schemas.ts'

/**
 * The fields with U+0000 removed from their text: PostgreSQL's text cannot hold it (the insert
 * would fail as a 500), and it is never something a resident meant to type.
 */
function withoutNul(fields: unknown): unknown {
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) return fields
  return Object.fromEntries(
    Object.entries(fields).map(([k, v]) => [
      k,
      typeof v === 'string' ? v.replaceAll('\u0000', '') : v,
    ]),
  )
}

/** The fields by the schema, every problem at once; throws VALIDATION_FAILED with the details. */
export function validate(fields: unknown): ComplaintInput {
  const parsed = complaintInputSchema.safeParse(withoutNul(fields))
  if (!parsed.success) {
    const found = [...issueDetails(parsed.error), ...contactIssues(fields)]
    const details = found.filter(
      (d, i) => found.findIndex((o) => o.field === d.field && o.message === d.message) === i,
    )
    details.sort((a, b) => fieldOrder(a.field) - fieldOrder(b.field))
    throw new ApiError(
      'VALIDATION_FAILED',
      `有 ${details.length} 处需要修改：${[...new Set(details.map((d) => d.message))].join(' ')}`,
      details,
    )
  }
  if (parsed.data.website) {
    // A honeypot filled in: refuse openly, so a person whose browser filled it is not lost.
    throw new ApiError(
      'VALIDATION_FAILED',
      '提交未通过自动程序检查：请清空隐藏的“网址”一栏后重试。',
      [{ field: 'website', message: '此栏应留空。' }],
    )
  }
  return parsed.data
}

const fieldNames = Object.keys(complaintInputSchema.shape)
const fieldOrder = (field: string) => {
  const i = fieldNames.indexOf(field)
  return i < 0 ? fieldNames.length : i
}

/**
 * zod runs the schema's cross-field checks only once every field is valid. So that a resident sees
 * every problem at once, the missing contact details of a 投诉 are added to the other errors here.
 */
function contactIssues(fields: unknown) {
  if (typeof fields !== 'object' || fields === null) return []
  const raw = fields as Record<string, unknown>
  if (raw.kind !== 'complaint') return []
  const blank = (v: unknown) => typeof v !== 'string' || v.trim() === ''
  return (['name', 'phone'] as const)
    .filter((field) => blank(raw[field]))
    .map((field) => ({ field, message: contactRequired(field) }))
}

function photoError(error: PhotoRejected) {
  return new ApiError('VALIDATION_FAILED', error.message, [
    { field: 'photos', message: error.message },
  ])
}

/**
 * The submission as it may be filed: its fields by the schema (every problem at once), its county
 * one of ours, its photos decoded and stripped of their metadata. Anything else is a 400.
 */
export async function checkSubmission(
  ctx: ServiceContext,
  submitted: { fields: unknown; photos: readonly IncomingPhoto[] },
): Promise<{ fields: ComplaintInput; photos: AcceptedPhoto[] }> {
  const fields = validate(submitted.fields)
  if (!(await knownCounty(ctx.db, fields.county))) {
    throw new ApiError('VALIDATION_FAILED', '请选择事发区县。', [
      { field: 'county', message: '请从列表中选择丽水市的区县。' },
    ])
  }
  try {
    return { fields, photos: acceptPhotos(submitted.photos) }
  } catch (error) {
    if (error instanceof PhotoRejected) throw photoError(error)
    throw error
  }
}
