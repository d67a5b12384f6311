import { z } from '@hono/zod-openapi'
import { isMobileNumber } from '../../domain/sms.ts'
import {
  complaintCategories,
  complaintKinds,
  complaintStatuses,
  quantityUnits,
} from '../../../db/database.ts'
import { beijingDate, beijingInstant } from '../../domain/beijing-time.ts'
import { usccProblem } from '../../domain/uscc.ts'

const optionalText = (max: number, tooLong: string) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.string('请填写文字。').trim().max(max, tooLong).optional(),
  )

const optionalNumber = (message: string) =>
  z.preprocess(
    (v) => (v === '' || v === null ? undefined : v),
    z.number(message).min(0, message).max(1_000_000, message).optional(),
  )

/** Why a 投诉 needs this contact detail, and the way out (a 举报 may be anonymous). */
export const contactRequired = (field: 'name' | 'phone') =>
  `投诉需要留下${field === 'name' ? '姓名' : '电话'}，以便调解时联系您；不愿留名请选择“举报”。`

/** Mobile numbers, or landlines with their area code (0578-1234567). */
const phonePattern = /^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/

/** The longest name a resident may leave. */
export const maxNameLength = 50

/** A resident's name: optional, as a 举报 may be anonymous (also the console's 更正联系方式). */
export const nameField = optionalText(maxNameLength, `姓名最多 ${maxNameLength} 个字。`)

/** A resident's phone, spaces and the +86 prefix dropped; optional as `nameField`. */
export const phoneField = z.preprocess(
  (v) => (typeof v === 'string' ? (v.trim() === '' ? undefined : v.replace(/[\s]/g, '')) : v),
  z
    .string('请填写电话号码。')
    .transform((p) => p.replace(/^(\+86|0086)/, ''))
    .refine(
      (p) => phonePattern.test(p),
      '请填写 11 位手机号，或带区号的固定电话（如 0578-2123456）。',
    )
    .optional(),
)

/**
 * Whether the resident will be told of their case by SMS (issue 25): on by default when they
 * leave a mobile number, off when they chose not to or left a landline or none.
 */
export const wantsSmsUpdates = (input: Pick<ComplaintInput, 'phone' | 'smsUpdates'>) =>
  isMobileNumber(input.phone) && input.smsUpdates !== false

/** Parses 'YYYY-MM-DDTHH:mm' as Shanghai time (what a datetime-local field sends), or full ISO. */
export function parseOccurredAt(value: string): Date | undefined {
  const local = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value)
  const iso = local
    ? `${local[1]!}T${local[2]!}:${local[3]!}:${local[4] ?? '00'}`
    : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(value)
      ? value
      : undefined
  if (!iso) return undefined
  const date = beijingInstant(iso)
  if (Number.isNaN(date.getTime())) return undefined
  // Reject dates JS silently rolls over (2026-02-30 becomes 2026-03-02).
  if (local && beijingDate(date) !== local[1]) return undefined
  return date
}

/**
 * A complaint (投诉) or report (举报) as a resident submits it (DESIGN.md section 6). Every message
 * says how to fix the field. `website` is a honeypot: people never see it, form-filling robots do.
 */
/** A complaint's fields, as the API documents them (the honeypot below is left out). */
export const complaintFieldsSchema = z
  .object({
    kind: z.enum(complaintKinds, '请选择“投诉”或“举报”。'),
    category: z.enum(complaintCategories, '请选择问题类别。'),
    county: z.string('请选择事发区县。').regex(/^3311\d{2}$/, '请选择事发区县。'),
    merchantName: z
      .string('请填写商户或单位名称。')
      .trim()
      .min(1, '请填写商户或单位名称（如摊主姓名、店名或加油站名称）。')
      .max(200, '商户名称最多 200 个字。'),
    merchantUscc: z.preprocess(
      (v) => (typeof v === 'string' ? (v.trim() === '' ? undefined : v.trim().toUpperCase()) : v),
      z
        .string('统一社会信用代码应为文字。')
        .superRefine((code, ctx) => {
          const problem = usccProblem(code)
          if (problem) {
            ctx.addIssue({
              code: 'custom',
              message: `统一社会信用代码${problem.message}；不清楚可以不填。`,
            })
          }
        })
        .optional(),
    ),
    address: z
      .string('请填写事发地址。')
      .trim()
      .min(1, '请填写事发地址（如市场名称和摊位号、街道门牌）。')
      .max(500, '地址最多 500 个字。'),
    occurredAt: z
      .string('请填写发生时间。')
      .trim()
      .min(1, '请填写发生时间。')
      .transform((value, ctx) => {
        const date = parseOccurredAt(value)
        if (!date) {
          ctx.addIssue({ code: 'custom', message: '发生时间格式有误，请按“年-月-日 时:分”填写。' })
          return z.NEVER
        }
        return date
      })
      .refine((d) => d.getTime() <= Date.now() + 10 * 60_000, '发生时间不能晚于现在，请核对。')
      .refine(
        // 市场监督管理投诉举报处理暂行办法 第十五条: disputes over three years old are not accepted.
        (d) => d.getTime() >= Date.now() - 3 * 366 * 24 * 3600_000,
        '发生时间已超过三年，按规定不予受理；如有疑问请拨打 12345。',
      ),
    description: z
      .string('请描述事情经过。')
      .trim()
      .min(10, '请描述事情经过，至少 10 个字（买了什么、多少钱、怎么发现的）。')
      .max(5000, '经过描述最多 5000 个字。'),
    name: nameField,
    phone: phoneField,
    /** 办理进展短信: `yes`/`no` from the form; absent means yes when a mobile number is given. */
    smsUpdates: z.preprocess(
      (v) => (v === 'yes' ? true : v === 'no' ? false : v === '' ? undefined : v),
      z.boolean('请选择是否接收办理进展短信（“接收”或“不接收”）。').optional(),
    ),
    consent: z.literal(true, '请阅读并同意《个人信息保护说明》后再提交。'),
    claimedQuantity: optionalNumber('标称数量应为 0 到 1000000 之间的数字。'),
    measuredQuantity: optionalNumber('实际数量应为 0 到 1000000 之间的数字。'),
    unit: z.preprocess(
      (v) => (v === '' ? undefined : v),
      z.enum(quantityUnits, '请选择计量单位。').optional(),
    ),
    unitPrice: optionalNumber('单价应为 0 到 1000000 之间的数字（元）。'),
  })
  .openapi('ComplaintInput')

/** A short-weight complaint as the OpenAPI document shows it. */
export const complaintExample = {
  kind: 'complaint',
  category: 'short_weight',
  county: '331102',
  merchantName: '城东农贸市场 12 号摊位',
  address: '莲都区城东农贸市场 12 号摊位',
  occurredAt: '2026-11-26T09:10',
  description: '买排骨 2 斤，回家复称只有 1 斤 7 两，怀疑电子秤被改动。',
  name: '王女士',
  phone: '13800001234',
  consent: true,
  claimedQuantity: 2,
  measuredQuantity: 1.7,
  unit: 'jin',
  unitPrice: 36,
} satisfies z.input<typeof complaintFieldsSchema>

export const complaintInputSchema = complaintFieldsSchema
  // The honeypot (see above), left out of the OpenAPI document.
  .extend({ website: z.string().optional() })
  .superRefine((input, ctx) => {
    if (input.kind === 'complaint') {
      for (const field of ['name', 'phone'] as const) {
        if (!input[field])
          ctx.addIssue({ code: 'custom', path: [field], message: contactRequired(field) })
      }
    }
    const { claimedQuantity: claimed, measuredQuantity: measured } = input
    const anyFigure = [claimed, measured, input.unit, input.unitPrice].some((v) => v !== undefined)
    if (anyFigure) {
      if (claimed === undefined || claimed <= 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['claimedQuantity'],
          message: '请填写商户标称（称给您）的数量，大于 0。',
        })
      }
      if (measured === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['measuredQuantity'],
          message: '请填写您复秤得到的实际数量。',
        })
      }
      if (!input.unit) {
        ctx.addIssue({ code: 'custom', path: ['unit'], message: '请选择计量单位。' })
      }
      if (claimed !== undefined && measured !== undefined && measured >= claimed) {
        ctx.addIssue({
          code: 'custom',
          path: ['measuredQuantity'],
          message: '实际数量不少于标称数量，没有短缺；请核对两个数字。',
        })
      }
    }
  })

export type ComplaintInput = z.output<typeof complaintInputSchema>

/** The fields as a form sends them, turned into the types the schema expects. */
export function formFieldsToInput(fields: Record<string, string | undefined>): unknown {
  const number = (v: string | undefined) => {
    if (v === undefined || v.trim() === '') return undefined
    const n = Number(v.trim())
    return Number.isFinite(n) ? n : v
  }
  return {
    ...fields,
    consent: ['on', 'true', '1', 'yes'].includes(fields.consent ?? ''),
    claimedQuantity: number(fields.claimedQuantity),
    measuredQuantity: number(fields.measuredQuantity),
    unitPrice: number(fields.unitPrice),
  }
}

export const complaintReceiptSchema = z
  .object({
    trackingNo: z.string().openapi({ example: 'JL20261206-4827-3915' }),
    queryCode: z.string().openapi({ example: 'K7QM-3XPA' }),
    status: z.enum(complaintStatuses),
    dueAt: z.string().openapi({ description: '法定期限（北京时间当日结束）' }),
  })
  .openapi('ComplaintReceipt')
