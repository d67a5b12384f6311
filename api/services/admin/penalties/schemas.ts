import { z } from '@hono/zod-openapi'
import { recordVersion } from '../record-version.ts'
import { penaltyKinds } from '../../../domain/credit.ts'

/** A GET form sends empty fields for "any": they mean the filter is not set. */
const blankToUndefined = (v: unknown) => (v === '' ? undefined : v)
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess(blankToUndefined, schema.optional())

const countyCode = z.string().regex(/^\d{6}$/, '区县代码应为 6 位数字，例如 331102（莲都区）')

/** The console's penalty list (GET /api/admin/penalties and the /admin/penalties form alike). */
export const penaltyListQuerySchema = z.object({
  /** 决定书文号, 统一社会信用代码 or the business's name, in part. */
  q: optional(
    z
      .string()
      .transform((v) => v.replace(/\p{Cc}/gu, '').trim())
      .pipe(z.string().max(100, '搜索词最多 100 个字')),
  ),
  county: optional(countyCode),
  /** `published` 公示中, `taken_down` 已撤下公示. */
  state: optional(
    z.enum(['published', 'taken_down'], { error: '公示状态应为 published 或 taken_down' }),
  ),
  page: z.preprocess(
    blankToUndefined,
    z.coerce
      .number()
      .int('页码应为整数')
      .min(1, '页码从 1 开始')
      .max(10_000, '页码过大')
      .default(1),
  ),
  pageSize: z.preprocess(
    blankToUndefined,
    z.coerce
      .number()
      .int('每页条数应为整数')
      .min(1, '每页至少 1 条')
      .max(100, '每页最多 100 条')
      .default(20),
  ),
})
export type PenaltyListQuery = z.infer<typeof penaltyListQuerySchema>

const text = (what: string, max: number) =>
  z
    .string({ error: `请填写${what}` })
    .trim()
    .min(1, `请填写${what}`)
    .max(max, `${what}最多 ${max} 个字`)

const optionalText = (what: string, max: number) => optional(text(what, max))

const date = (what: string) =>
  z
    .string({ error: `请填写${what}` })
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, `${what}格式应为 2026-11-27`)
    .refine((d) => {
      const at = Date.parse(`${d}T00:00:00Z`)
      return !Number.isNaN(at) && new Date(at).toISOString().startsWith(d)
    }, `${what}不是有效的日期`)
    // Decisions on paper before the credit record existed are not entered.
    .refine((d) => d >= '2000-01-01', `${what}不能早于 2000-01-01`)

/** The fields of a decision, as entered and as edited. */
const decisionFields = {
  /** 决定书文号, e.g. 丽市监罚〔2026〕12 号. Unique. */
  decisionNo: text('决定书文号', 100),
  /** 作出处罚决定的日期 (YYYY-MM-DD). */
  decidedOn: date('处罚决定日期'),
  /** The kind of penalty; it sets how long the penalty is public. */
  kind: z.enum(penaltyKinds, { error: '请选择处罚种类' }),
  /** 违法行为. */
  violation: text('违法行为', 1000),
  /** 处罚内容, e.g. 罚款人民币 5,000 元. */
  penalty: text('处罚内容', 500),
  /** 处罚依据. */
  legalBasis: text('处罚依据', 500),
  /** The case it came from (立案查处), by its 受理编号; empty for none. */
  caseTrackingNo: optionalText('案件受理编号', 40),
}

const usccField = z
  .string({ error: '请填写统一社会信用代码' })
  .trim()
  .transform((v) => v.toUpperCase())
  .pipe(z.string().min(1, '请填写统一社会信用代码'))

/** A new penalty (POST /api/admin/penalties). */
export const penaltyEntrySchema = z
  .object({
    /** 统一社会信用代码 of the business penalized. */
    uscc: usccField,
    /** The business's name: needed only when the code is on no list yet. */
    name: optionalText('单位名称', 200),
    /**
     * The county of the penalty: a county handler's own (the default); a city administrator's
     * choice, else the business's.
     */
    county: optional(countyCode),
    /** The business's sector (行业 code): needed only when the code is on no list yet. */
    sector: optional(z.string().regex(/^[a-z_]{1,40}$/, '请从列表中选择行业')),
    address: optionalText('单位地址', 500),
    ...decisionFields,
  })
  .openapi('PenaltyEntry')
export type PenaltyEntry = z.infer<typeof penaltyEntrySchema>

const versionSchema = recordVersion('版本号')

/** An edit of a penalty (POST /api/admin/penalties/:id/edit): every field again, and why. */
export const penaltyEditSchema = z
  .object({
    /** The version the penalty was read at: a colleague's edit since makes this one 409. */
    version: versionSchema,
    /** Why it is changed (kept in the audit log). */
    reason: text('修改原因', 500),
    ...decisionFields,
  })
  .openapi('PenaltyEdit')
export type PenaltyEdit = z.infer<typeof penaltyEditSchema>

/** A penalty's id in a console path. */
export const penaltyParams = z.object({
  id: z
    .string()
    .regex(/^[1-9]\d{0,17}$/, '处罚记录编号应为数字，请从列表进入')
    .openapi({ param: { name: 'id', in: 'path' }, example: '7' }),
})

export const penaltyViewSchema = z
  .object({
    id: z.string(),
    uscc: z.string(),
    /** From the certified list or the market entities; null if neither knows the code. */
    businessName: z.string().nullable(),
    countyCode: z.string(),
    countyName: z.string(),
    decisionNo: z.string(),
    decidedOn: z.string(),
    kind: z.enum(penaltyKinds),
    kindName: z.string(),
    violation: z.string(),
    penalty: z.string(),
    legalBasis: z.string(),
    /** The case it came from (立案查处); null for none. */
    caseTrackingNo: z.string().nullable(),
    /** Public on the credit record from here. */
    publishedAt: z.string().nullable(),
    /** The last day it is public (decision date plus its kind's period). */
    publishUntil: z.string(),
    /** When the sweep took it down (its period ended); null while public. */
    takenDownAt: z.string().nullable(),
    state: z.enum(['published', 'taken_down']),
    /** 公示中 or 已撤下公示. */
    stateName: z.string(),
    /** The law's last day to publish it: 20 working days after the decision. */
    publicationDeadline: z.string(),
    /** Published after that day (entered late). */
    late: z.boolean(),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    version: z.number().int(),
  })
  .openapi('Penalty')
export type PenaltyView = z.infer<typeof penaltyViewSchema>

export const penaltyListSchema = z
  .object({
    items: z.array(penaltyViewSchema),
    total: z.number().int(),
    page: z.number().int(),
    pageSize: z.number().int(),
  })
  .openapi('PenaltyList')
export type PenaltyList = z.infer<typeof penaltyListSchema>
