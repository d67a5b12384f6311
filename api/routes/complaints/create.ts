import { setCookie } from 'hono/cookie'
import type { Context } from 'hono'
import { fileComplaint, type FileComplaintInput } from '../../services/complaints/file.ts'
import { readComplaintForm } from '../../services/complaints/form.ts'
import { categoryLabels, unitLabels } from '../../services/complaints/labels.ts'
import { complaintReceiptSchema, formFieldsToInput } from '../../services/complaints/schemas.ts'
import { receiptCookie } from '../../services/complaints/receipt-cookie.ts'
import type { App, AppEnv } from '../../env.ts'
import { ApiError } from '../../errors.ts'
import { clientAddress } from '../client-address.ts'
import { errorResponses } from '../shared.ts'

/** Reads a JSON body or a form (urlencoded or multipart, with photos) into the service's input. */
async function readSubmission(c: Context<AppEnv>) {
  const type = c.req.header('content-type')?.toLowerCase() ?? ''
  if (type.startsWith('application/json')) {
    try {
      return {
        form: false,
        fields: (await c.req.json()) as unknown,
        photos: [] as FileComplaintInput['photos'],
        token: undefined,
      }
    } catch {
      throw new ApiError('BAD_REQUEST', '提交的 JSON 格式有误，无法解析。请检查后重试。')
    }
  }
  if (
    type.startsWith('multipart/form-data') ||
    type.startsWith('application/x-www-form-urlencoded')
  ) {
    let form: FormData
    try {
      form = await c.req.formData()
    } catch {
      throw new ApiError('BAD_REQUEST', '提交的表单格式有误，无法解析。请刷新页面后重新提交。')
    }
    const { fields, photos, token } = await readComplaintForm(form)
    return { form: true, fields: formFieldsToInput(fields), photos, token }
  }
  throw new ApiError(
    'UNSUPPORTED_MEDIA_TYPE',
    '请以 JSON（application/json）或表单（multipart/form-data）提交投诉举报。',
  )
}

/** `code` 名称 pairs, so the document names every accepted value with what it means. */
const listed = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([code, label]) => `\`${code}\` ${label}`)
    .join(', ')

export function registerCreateComplaint(app: App) {
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/complaints',
    summary: '提交投诉或举报（JSON 或表单；照片用 multipart/form-data 的 photos 字段）',
    description:
      'Fields: `kind` (`complaint` 投诉, a dispute of your own; `report` 举报, a tip-off that ' +
      'may be anonymous); `category` (' +
      listed(categoryLabels) +
      '); `county` (the county code, 3311xx); `merchantName`; `merchantUscc` (optional, the ' +
      "business's unified social credit code); `address`; `occurredAt` (`YYYY-MM-DDTHH:mm` in " +
      'Beijing time, or ISO 8601 with an offset; not in the future nor over three years ago); ' +
      '`description` (10 to 5,000 characters); `name` and `phone` (required for `complaint`, ' +
      'optional for `report`); `consent` (must be true); and for short weight, together, ' +
      '`claimedQuantity`, `measuredQuantity`, `unit` (' +
      listed(unitLabels) +
      ') and the optional `unitPrice` in yuan. An `Idempotency-Key` header (or the form field ' +
      '`idempotencyToken`) makes a repeated submission answer with the first receipt. A form ' +
      'post gets 303 to its receipt page.',
    responses: {
      201: {
        description: 'Filed: committed to the database before this answer.',
        content: { 'application/json': { schema: complaintReceiptSchema } },
      },
      303: { description: 'A form post: see the receipt page.' },
      ...errorResponses(400, 409, 413, 415, 429),
    },
  })

  app.post('/complaints', async (c) => {
    const submission = await readSubmission(c)
    const receipt = await fileComplaint({
      ctx: c.get('ctx'),
      input: {
        fields: submission.fields,
        photos: submission.photos,
        idempotencyKey: c.req.header('idempotency-key') ?? submission.token,
        clientAddress: clientAddress(c),
      },
    })
    if (receipt.replayed) c.header('Idempotent-Replayed', 'true')
    if (submission.form) {
      const cookie = receiptCookie(receipt)
      setCookie(c, cookie.name, cookie.value, {
        ...cookie.options,
        secure: c.get('deps').config.NODE_ENV === 'production',
      })
      return c.redirect(`/complaints/receipt/${receipt.trackingNo}`, 303)
    }
    return c.json(
      {
        trackingNo: receipt.trackingNo,
        queryCode: receipt.queryCode,
        status: receipt.status,
        dueAt: receipt.dueAt,
      },
      201,
    )
  })
}
