import { randomUUID } from 'node:crypto'
import { bodyLimitFor } from '../../body-limits.ts'
import type { ServiceContext } from '../../deps.ts'
import { ApiError, type ErrorCode } from '../../errors.ts'
import { fieldProblemsOf, type FieldProblem } from '../../validation.ts'
import { fileComplaint, type FileComplaintInput } from './file.ts'
import { readComplaintForm } from './form.ts'
import type { ComplaintReceipt } from './receipt.ts'
import { receiptCookie } from './receipt-cookie.ts'
import { complaintInputSchema, formFieldsToInput } from './schemas.ts'

/**
 * Where a complaint arrives: the site's own form page (`/complaints/submit`, which works without
 * JavaScript) or `POST /api/complaints` (JSON, or a form). Both are read and checked here, so a
 * field rule or a message exists once; the entry only decides how a refusal is worded for its
 * reader (a person looking at the form again, or a program).
 */
type ComplaintEntry = 'page' | 'api'

/** A complaint's fields, named as the API names them (DESIGN.md section 6). */
export type ComplaintField = keyof typeof complaintInputSchema.shape
const complaintFields = new Set<string>(Object.keys(complaintInputSchema.shape))

/** What the resident typed in each text field, kept as typed for a form shown again. */
export type ComplaintFormValues = Partial<Record<ComplaintField, string>>

interface SubmitComplaintInput {
  request: Request
  entry: ComplaintEntry
  clientAddress: string
}

/** The receipt cookie (receipt-cookie.ts), Secure in production, for either entry to set. */
type ReceiptCookie = ReturnType<typeof receiptCookie> & {
  options: { secure: boolean }
}

export type SubmissionOutcome =
  | {
      kind: 'filed'
      receipt: ComplaintReceipt
      cookie: ReceiptCookie
      /** A form was posted: its sender is a browser, answered with the receipt page. */
      postedAsForm: boolean
    }
  | {
      kind: 'refused'
      code: ErrorCode
      /** 422 on the page for a form that needs changes; the API says 400 to programs. */
      status: number
      /** One sentence for the top of the form, or the API error's message. */
      message: string
      /** The API error's details, as they were. */
      details: unknown
      problems: FieldProblem[]
      retryAfterSeconds?: number
      /** The token a form shown again carries, so its next submission is one submission. */
      token: string
    }

export interface ComplaintSubmission {
  outcome: SubmissionOutcome
  /** What to show in a form shown again (photos cannot be put back). */
  values: ComplaintFormValues
  photosDropped: boolean
}

/**
 * A form that cannot be read, in the same words from the page and the API. The page shows its
 * form again empty (nothing could be read back into it), so it asks to fill it in again.
 */
const unreadableForm = '提交的表单格式有误，无法读取。请刷新页面后重新填写提交。'

/**
 * The form was filed, then changed (back button) and sent again with the same token. The form
 * shown again carries a new token, so the resident decides whether this is a second complaint.
 */
const conflictOnPage =
  '这份表单刚才已经提交过，这次的内容与上次不同。如需另外提交一份，请核对下面的内容后再点“提交”；如只是想补充情况，请拨打 12345 并说明受理编号。'

interface ReadBody {
  /** The fields for the schema: JSON as sent, or a form's text turned into its types. */
  fields: unknown
  values: ComplaintFormValues
  photos: FileComplaintInput['photos']
  /** The form's hidden idempotencyToken, if it carried one. */
  token: string | undefined
  postedAsForm: boolean
}

const nothingRead: Omit<ReadBody, 'fields' | 'postedAsForm'> = {
  values: {},
  photos: [],
  token: undefined,
}

const isFormType = (type: string) =>
  type.startsWith('multipart/form-data') || type.startsWith('application/x-www-form-urlencoded')

/**
 * The body as JSON or as a form (urlencoded or multipart, with photos). The page takes forms
 * only: whatever else reaches it cannot be read as one and is refused as such.
 */
async function readBody(request: Request, entry: ComplaintEntry): Promise<ReadBody> {
  const type = request.headers.get('content-type')?.toLowerCase() ?? ''
  if (entry === 'api' && type.startsWith('application/json')) {
    try {
      return { ...nothingRead, fields: (await request.json()) as unknown, postedAsForm: false }
    } catch {
      throw new ApiError('BAD_REQUEST', '提交的 JSON 格式有误，无法解析。请检查后重试。')
    }
  }
  if (entry === 'page' || isFormType(type)) {
    let form: Awaited<ReturnType<typeof readComplaintForm>>
    try {
      form = await readComplaintForm(await request.formData())
    } catch {
      throw new ApiError('BAD_REQUEST', unreadableForm)
    }
    const values: ComplaintFormValues = {}
    for (const [field, value] of Object.entries(form.fields)) {
      if (complaintFields.has(field)) values[field as ComplaintField] = value
    }
    return {
      fields: formFieldsToInput(values),
      values,
      photos: form.photos,
      token: form.token,
      postedAsForm: true,
    }
  }
  throw new ApiError(
    'UNSUPPORTED_MEDIA_TYPE',
    '请以 JSON（application/json）或表单（multipart/form-data）提交投诉举报。',
  )
}

/**
 * Whether the declared body is larger than a complaint may be, before reading any of it. The web
 * server counts chunked bodies as they arrive and declares a body it stopped reading at the bytes
 * it received (body-guard.ts), so both kinds are refused here with the form shown again. The
 * API's own body limit (api/http/app.ts) counts the stream before its route runs, so only the page
 * looks at the declared length here.
 */
function declaredTooLarge(ctx: ServiceContext, request: Request, entry: ComplaintEntry) {
  if (entry !== 'page') return undefined
  const limit = bodyLimitFor(ctx.config, '/complaints/submit')
  const length = Number(request.headers.get('content-length') ?? '0')
  if (!Number.isFinite(length) || length <= limit.maxBytes) return undefined
  return new ApiError('PAYLOAD_TOO_LARGE', limit.message, { limitBytes: limit.maxBytes })
}

function retryAfterOf(details: unknown): number | undefined {
  if (typeof details !== 'object' || details === null) return undefined
  const seconds = (details as { retryAfterSeconds?: unknown }).retryAfterSeconds
  return typeof seconds === 'number' && seconds > 0 ? Math.ceil(seconds) : undefined
}

function refusal(
  error: ApiError,
  entry: ComplaintEntry,
  token: string | undefined,
): SubmissionOutcome {
  const onPage = entry === 'page'
  const retryAfterSeconds = retryAfterOf(error.details)
  return {
    kind: 'refused',
    code: error.code,
    status: onPage && error.code === 'VALIDATION_FAILED' ? 422 : error.status,
    message: onPage && error.code === 'CONFLICT' ? conflictOnPage : error.message,
    details: error.details,
    problems: error.code === 'VALIDATION_FAILED' ? fieldProblemsOf(error) : [],
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    // The token was used for other content (CONFLICT): the corrected form needs a new one.
    token: error.code === 'CONFLICT' || !token ? randomUUID() : token,
  }
}

/**
 * A posted complaint, from the raw request to a receipt or the reasons it was refused: the body
 * limit, the content type, the form's fields and photos, the idempotency key (the
 * `Idempotency-Key` header on the API, else the form's hidden token), then `fileComplaint`. A
 * refusal a sender can act on (4xx) comes back as an outcome; anything else is thrown.
 */
export async function submitComplaint({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: SubmitComplaintInput
}): Promise<ComplaintSubmission> {
  const { request, entry } = input
  const tooLarge = declaredTooLarge(ctx, request, entry)
  if (tooLarge) {
    return { outcome: refusal(tooLarge, entry, undefined), values: {}, photosDropped: false }
  }
  let body: ReadBody
  try {
    body = await readBody(request, entry)
  } catch (error) {
    if (!(error instanceof ApiError)) throw error
    return { outcome: refusal(error, entry, undefined), values: {}, photosDropped: false }
  }
  const idempotencyKey =
    entry === 'api' ? (request.headers.get('idempotency-key') ?? body.token) : body.token
  const read = { values: body.values, photosDropped: body.photos.length > 0 }
  try {
    const receipt = await fileComplaint({
      ctx,
      input: {
        fields: body.fields,
        photos: body.photos,
        idempotencyKey,
        clientAddress: input.clientAddress,
      },
    })
    const cookie = receiptCookie(receipt)
    return {
      outcome: {
        kind: 'filed',
        receipt,
        cookie: {
          ...cookie,
          options: { ...cookie.options, secure: ctx.config.NODE_ENV === 'production' },
        },
        postedAsForm: body.postedAsForm,
      },
      ...read,
    }
  } catch (error) {
    if (!(error instanceof ApiError) || error.status >= 500) throw error
    return { outcome: refusal(error, entry, body.token), ...read }
  }
}
