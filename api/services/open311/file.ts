import { linkOpen311Request } from '../../../db/queries/open311.ts'
import type { ServiceContext } from '../../deps.ts'
import { countyCodes } from '../../domain/counties.ts'
import { complaintCategories, deadlineLabels, kindLabels } from '../../domain/complaints.ts'
import { ApiError } from '../../errors.ts'
import { fieldProblemsOf } from '../../validation.ts'
import { fileComplaint } from '../complaints/file.ts'
import type { ComplaintReceipt } from '../complaints/receipt.ts'
import { clientOfKey, countOpen311Call, type Open311Client } from './keys.ts'

/** Where a posted request's fields go in a complaint (DESIGN.md section 6), and back. */
const open311NameOf: Record<string, string> = {
  kind: 'attribute[kind]',
  category: 'service_code',
  county: 'jurisdiction_id',
  merchantName: 'attribute[merchant_name]',
  merchantUscc: 'attribute[merchant_uscc]',
  address: 'address_string',
  occurredAt: 'attribute[occurred_at]',
  description: 'description',
  name: 'last_name',
  phone: 'phone',
  smsUpdates: 'attribute[sms_updates]',
  consent: 'attribute[consent]',
  claimedQuantity: 'attribute[claimed_quantity]',
  measuredQuantity: 'attribute[measured_quantity]',
  unit: 'attribute[unit]',
  unitPrice: 'attribute[unit_price]',
}

const blankToUndefined = (v: string | undefined) =>
  v === undefined || v.trim() === '' ? undefined : v

/** A number as typed, or the text itself for the schema to refuse in its own words. */
function numberOf(v: string | undefined): number | string | undefined {
  const text = blankToUndefined(v)?.trim()
  if (text === undefined) return undefined
  const n = Number(text)
  return Number.isFinite(n) ? n : text
}

function booleanOf(v: string | undefined): boolean | string | undefined {
  const text = blankToUndefined(v)?.trim().toLowerCase()
  if (text === undefined) return undefined
  return text === 'true' ? true : text === 'false' ? false : text
}

/**
 * A GeoReport v2 request's fields as a complaint's (complaintInputSchema), for the one intake to
 * check: `attribute[CODE]` per the service definition (catalog.ts), `address_string` as the
 * address, the name as 姓 + 名 (`last_name` then `first_name`), `phone`, `description`. The
 * consent is the resident's own: only `attribute[consent]=true` gives it. lat/long, email,
 * device_id and account_id are not kept (data minimisation; the portal has no map).
 */
function complaintFieldsOf(form: Readonly<Record<string, string>>): Record<string, unknown> {
  const attribute = (code: string) => form[`attribute[${code}]`]
  const name = `${form.last_name?.trim() ?? ''}${form.first_name?.trim() ?? ''}`
  return {
    kind: blankToUndefined(attribute('kind'))?.trim(),
    category: form.service_code?.trim(),
    county: form.jurisdiction_id?.trim(),
    merchantName: attribute('merchant_name'),
    merchantUscc: attribute('merchant_uscc'),
    address: form.address_string,
    occurredAt: attribute('occurred_at'),
    description: form.description,
    name: name === '' ? undefined : name,
    phone: blankToUndefined(form.phone),
    smsUpdates: booleanOf(attribute('sms_updates')),
    consent: attribute('consent')?.trim().toLowerCase() === 'true',
    claimedQuantity: numberOf(attribute('claimed_quantity')),
    measuredQuantity: numberOf(attribute('measured_quantity')),
    unit: blankToUndefined(attribute('unit'))?.trim(),
    unitPrice: numberOf(attribute('unit_price')),
  }
}

/** The intake's refusal with each field named as the request named it. */
function inOpen311Terms(error: ApiError): ApiError {
  const problems = fieldProblemsOf(error)
  if (problems.length === 0) return error
  return new ApiError(
    error.code,
    error.message,
    problems.map((p) => ({ field: open311NameOf[p.field] ?? p.field, message: p.message })),
  )
}

const refusal = (field: string, message: string) =>
  new ApiError('VALIDATION_FAILED', message, [{ field, message }])

/** Checks the request names one of our services and counties before the intake sees it. */
function checkAddressing(form: Readonly<Record<string, string>>) {
  const code = form.service_code?.trim() ?? ''
  if (!(complaintCategories as readonly string[]).includes(code)) {
    throw refusal('service_code', 'service_code 缺失或不是已有的服务代码，请查看 services 列表。')
  }
  const county = form.jurisdiction_id?.trim() ?? ''
  if (!(countyCodes as readonly string[]).includes(county)) {
    throw refusal(
      'jurisdiction_id',
      'jurisdiction_id 应为事发区县的代码（如莲都区 331102），全市代码 331100 不能用于提交。',
    )
  }
  if (blankToUndefined(form.media_url)) {
    throw refusal(
      'media_url',
      '本平台不从外部地址下载照片，请不要提交 media_url；照片可由投诉举报人在本站提交。',
    )
  }
}

/** The form's text fields, each first value; a file in a text field reads as absent. */
async function readForm(request: Request): Promise<Record<string, string>> {
  const type = request.headers.get('content-type')?.toLowerCase() ?? ''
  if (
    !type.startsWith('application/x-www-form-urlencoded') &&
    !type.startsWith('multipart/form-data')
  ) {
    throw new ApiError(
      'UNSUPPORTED_MEDIA_TYPE',
      '请按 GeoReport v2 以表单（application/x-www-form-urlencoded）提交。',
    )
  }
  let form: FormData
  try {
    form = await request.formData()
  } catch {
    throw new ApiError('BAD_REQUEST', '提交的表单格式有误，无法读取。')
  }
  const fields: Record<string, string> = {}
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string') fields[name] ??= value
  }
  return fields
}

export interface FiledOpen311Request {
  receipt: ComplaintReceipt
  /** What the app tells the resident, with the query code (shown in this answer only). */
  notice: string
}

/**
 * `POST requests`: a resident's complaint or report sent by a registered app. The key is checked
 * and the call counted (keys.ts), the request's fields are mapped onto a complaint's and filed
 * through the one intake (fileComplaint: its checks, the per-phone limit, the app's hourly
 * limit in place of the per-network one, idempotency, the sealing of name and phone), then the
 * complaint is linked to the app. A replay links again, which changes nothing, so a link lost to
 * a failure after filing is made by the retry with the same Idempotency-Key.
 */
export async function fileOpen311Request({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { request: Request; clientAddress: string }
}): Promise<FiledOpen311Request> {
  const form = await readForm(input.request)
  const key = form.api_key ?? new URL(input.request.url).searchParams.get('api_key') ?? ''
  if (key.trim() === '') throw refusal('api_key', '请提供 api_key。')
  const client = await clientOfKey(ctx, key.trim())
  await countOpen311Call(ctx, { client, clientAddress: input.clientAddress })
  checkAddressing(form)
  const idempotencyKey = idempotencyKeyOf(input.request, client)
  let receipt: ComplaintReceipt
  try {
    receipt = await fileComplaint({
      ctx,
      input: {
        fields: complaintFieldsOf(form),
        photos: [],
        idempotencyKey,
        // The app is the sender: a repeat of the same content from it within minutes is one
        // submission, as from one network on the web.
        clientAddress: `open311:${client.id}`,
        app: { id: client.id, maxPerHour: ctx.config.OPEN311_REQUESTS_PER_KEY },
      },
    })
  } catch (error) {
    if (error instanceof ApiError) throw inOpen311Terms(error)
    throw error
  }
  await linkOpen311Request(ctx.db, { trackingNo: receipt.trackingNo, clientId: client.id })
  const kind = form['attribute[kind]']?.trim() === 'report' ? 'report' : 'complaint'
  const { origin } = new URL(ctx.config.SITE_URL)
  const notice =
    `已收到${kindLabels[kind]}，受理编号 ${receipt.trackingNo}，查询码 ${receipt.queryCode}。` +
    `请把两者告知投诉举报人：凭受理编号和查询码可在 ${origin}/complaints/track 查看办理进度和评价办理结果，查询码请勿公开。` +
    `我们将在 ${receipt.dueDate} 前${deadlineLabels[kind]}。`
  return { receipt, notice }
}

/**
 * The `Idempotency-Key` header, kept apart per app: two apps that happen to send the same key
 * never see each other's receipts.
 */
function idempotencyKeyOf(request: Request, client: Open311Client): string | undefined {
  const given = request.headers.get('idempotency-key')?.trim()
  if (!given) return undefined
  if (given.length > 150) {
    throw refusal('Idempotency-Key', 'Idempotency-Key 最长 150 个字符。')
  }
  return `open311:${client.id}:${given}`
}
