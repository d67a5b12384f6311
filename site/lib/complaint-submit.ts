import { randomUUID } from 'node:crypto'
import type { AstroCookieSetOptions } from 'astro'
import { bodyLimitFor } from '../../api/body-limits.ts'
import { ApiError } from '../../api/errors.ts'
import { fileComplaint, type ComplaintReceipt } from '../../api/services/complaints/file.ts'
import { receiptCookie } from '../../api/services/complaints/receipt-cookie.ts'
import { readComplaintForm, type ComplaintForm } from '../../api/services/complaints/form.ts'
import { formFieldsToInput } from '../../api/services/complaints/schemas.ts'
import { serviceContext } from './services.ts'
import { verifyEnterprise } from './verify-page.ts'
import { textFields, type ComplaintFormValues, type FieldProblem } from './complaints.ts'

interface ComplaintSubmission {
  values: ComplaintFormValues
  photos: ComplaintForm['photos']
  /** The hidden idempotencyToken: set by the page's script, or by the server on a form shown again. */
  token: string
}

type SubmitOutcome =
  | { kind: 'filed'; receipt: ComplaintReceipt }
  | {
      kind: 'refused'
      status: number
      /** One sentence for the top of the form. */
      message: string
      problems: FieldProblem[]
      retryAfterSeconds?: number
      /** A token the form shown again carries, so its next submission is one submission. */
      token: string
    }

/**
 * The form was filed, then changed (back button) and sent again with the same token. The form
 * shown again carries a new token, so the resident decides whether this is a second complaint.
 */
const conflictMessage =
  '这份表单刚才已经提交过，这次的内容与上次不同。如需另外提交一份，请核对下面的内容后再点“提交”；如只是想补充情况，请拨打 12345 并说明受理编号。'

/** Reads the posted form as the API does; only the fields the form shows are kept for redisplay. */
async function readSubmission(request: Request): Promise<ComplaintSubmission> {
  const { fields, photos, token } = await readComplaintForm(await request.formData())
  const values: ComplaintFormValues = {}
  for (const field of textFields) {
    const value = fields[field]
    if (value !== undefined) values[field] = value
  }
  return { values, photos, token: token ?? '' }
}

const complaintLimit = () => bodyLimitFor(serviceContext().config, '/complaints/submit')

/**
 * Whether the declared body is larger than a complaint may be, before reading any of it. The web
 * server counts chunked bodies as they arrive and declares a body it stopped reading at the bytes
 * it received (scripts/body-guard.ts), so both kinds are refused here with the form shown again.
 */
function bodyTooLarge(request: Request): boolean {
  const length = Number(request.headers.get('content-length') ?? '0')
  return Number.isFinite(length) && length > complaintLimit().maxBytes
}

const refusedAsWhole = (status: number, message: string): SubmitOutcome => ({
  kind: 'refused',
  status,
  message,
  problems: [],
  token: randomUUID(),
})

export interface HandledSubmission {
  outcome: SubmitOutcome
  /** What to show in a form shown again (photos cannot be put back). */
  values: ComplaintFormValues
  photosDropped: boolean
}

/** A posted complaint form, from the raw request to a receipt or the reasons it was refused. */
export async function handleSubmission(
  request: Request,
  clientAddress: string,
): Promise<HandledSubmission> {
  if (bodyTooLarge(request)) {
    return {
      outcome: refusedAsWhole(413, complaintLimit().message),
      values: {},
      photosDropped: false,
    }
  }
  let submission: ComplaintSubmission
  try {
    submission = await readSubmission(request)
  } catch {
    return {
      outcome: refusedAsWhole(400, '提交的表单格式有误，无法读取。请刷新页面后重新填写提交。'),
      values: {},
      photosDropped: false,
    }
  }
  return {
    outcome: await submitComplaint(submission, clientAddress),
    values: submission.values,
    photosDropped: submission.photos.length > 0,
  }
}

function isProblemList(details: unknown): details is FieldProblem[] {
  return (
    Array.isArray(details) &&
    details.every(
      (d: unknown) =>
        typeof d === 'object' &&
        d !== null &&
        typeof (d as FieldProblem).field === 'string' &&
        typeof (d as FieldProblem).message === 'string',
    )
  )
}

function retryAfterOf(details: unknown): number | undefined {
  if (typeof details !== 'object' || details === null) return undefined
  const seconds = (details as { retryAfterSeconds?: unknown }).retryAfterSeconds
  return typeof seconds === 'number' && seconds > 0 ? Math.ceil(seconds) : undefined
}

/** Files the complaint through the same service verb as `POST /api/complaints`. */
async function submitComplaint(
  submission: ComplaintSubmission,
  clientAddress: string,
): Promise<SubmitOutcome> {
  try {
    const receipt = await fileComplaint({
      ctx: serviceContext(),
      input: {
        fields: formFieldsToInput(submission.values),
        photos: submission.photos,
        idempotencyKey: submission.token || undefined,
        clientAddress,
      },
    })
    return { kind: 'filed', receipt }
  } catch (error) {
    if (!(error instanceof ApiError) || error.status >= 500) throw error
    const problems =
      error.code === 'VALIDATION_FAILED' && isProblemList(error.details) ? error.details : []
    const retryAfterSeconds = retryAfterOf(error.details)
    return {
      kind: 'refused',
      // A form that needs changes is 422 on a page (the API says 400 to machines).
      status: error.code === 'VALIDATION_FAILED' ? 422 : error.status,
      message: error.code === 'CONFLICT' ? conflictMessage : error.message,
      problems,
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
      // The token was used for other content (CONFLICT): the corrected form needs a new one.
      token: error.code === 'CONFLICT' || !submission.token ? randomUUID() : submission.token,
    }
  }
}

/** The receipt cookie for Astro.cookies, Secure in production (as the API sets it). */
export function receiptCookieFor(receipt: ComplaintReceipt) {
  const cookie = receiptCookie(receipt)
  const options: AstroCookieSetOptions = {
    path: cookie.options.path,
    httpOnly: cookie.options.httpOnly,
    sameSite: 'strict',
    maxAge: cookie.options.maxAge,
    secure: serviceContext().config.NODE_ENV === 'production',
  }
  return { name: cookie.name, value: cookie.value, options }
}

/** The business a complaint form names, linked to the list: said beside its name on the form. */
export interface LinkedBusiness {
  name: string
  uscc: string
}

export type FormAbout =
  | { kind: 'linked'; values: ComplaintFormValues; linked: LinkedBusiness }
  | {
      kind: 'unknown'
      /** A well-formed code stays in its field: the handler may still find the business by it. */
      values: ComplaintFormValues
      /** What the resident is told above the form, and how to go on. */
      message: string
    }

/**
 * The form of a complaint started from a business's page or plaque check (`complaintAboutUrl`):
 * its name, code, county and address read from the list now. A code that is not on the list (a
 * link kept after the business left it, or one typed by hand) opens the form with a sentence
 * saying so, not a silent blank form.
 */
export async function formAbout(code: string): Promise<FormAbout> {
  const found = await verifyEnterprise(code)
  if (found.kind === 'found') {
    const e = found.enterprise
    return {
      kind: 'linked',
      values: { merchantName: e.name, merchantUscc: e.uscc, county: e.county, address: e.address },
      linked: { name: e.name, uscc: e.uscc },
    }
  }
  if (found.problem) {
    return {
      kind: 'unknown',
      values: {},
      message: `链接中的统一社会信用代码有误：${found.problem}。无法带出单位信息，请在下面填写被投诉单位的名称和地址。`,
    }
  }
  return {
    kind: 'unknown',
    values: { merchantUscc: found.code },
    message: `代码为 ${found.code} 的单位不在丽水市诚信计量单位名单上，无法带出单位信息。请在下面填写被投诉单位的名称和地址。`,
  }
}

/**
 * The listed business a form shown again names, if its name and code are still those of one
 * business on the list (as the form opened from its page, or a suggestion picked, wrote them).
 */
export async function linkedIn(values: ComplaintFormValues): Promise<LinkedBusiness | undefined> {
  const name = values.merchantName?.trim()
  const code = values.merchantUscc?.trim()
  if (!name || !code) return undefined
  const found = await verifyEnterprise(code)
  if (found.kind !== 'found' || found.enterprise.name !== name) return undefined
  return { name: found.enterprise.name, uscc: found.enterprise.uscc }
}
