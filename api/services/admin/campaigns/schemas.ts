import { z } from '@hono/zod-openapi'
import { recordVersion } from '../record-version.ts'
import { countyCodes } from '../../../domain/counties.ts'
import {
  campaignStatuses,
  creditGrades,
  visitResults,
  visitStatuses,
} from '../../../domain/credit.ts'
import { usccProblem } from '../../../domain/uscc.ts'

// What the campaign console's verbs take and give (issue 22, point 3). Forms and JSON alike: a
// form sends every value as text and a list as the same name repeated.

const isoDate = /^\d{4}-\d{2}-\d{2}$/
const dateField = (label: string) =>
  z
    .string({ error: `请填写${label}` })
    .regex(isoDate, `${label}应为 YYYY-MM-DD 格式，例如 2026-12-01`)
    .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), `${label}不是有效的日期`)

/** A number as JSON sends it or as text from a form. */
const count = (label: string, min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v),
    z
      .number({ error: `请填写${label}` })
      .int(`${label}应为整数`)
      .min(min, `${label}至少为 ${min}`)
      .max(max, `${label}最多为 ${max}`),
  )

/** One value or the same name repeated, as a list (empty entries dropped). */
const list = <T extends z.ZodType>(item: T, label: string, min = 1) =>
  z.preprocess(
    (v: unknown): unknown[] =>
      v === undefined || v === ''
        ? []
        : Array.isArray(v)
          ? (v as unknown[]).filter((x) => x !== '')
          : [v],
    z.array(item).min(min, `请至少选择一个${label}`).max(50, `${label}最多 50 个`),
  )

const countyCode = z.enum(countyCodes, { error: '请从列表中选择丽水市的区县' })

export const campaignIdParams = z.object({
  id: z
    .string()
    .regex(/^[1-9]\d{0,17}$/, '专项检查编号应为数字，请从专项检查列表进入')
    .openapi({ param: { name: 'id', in: 'path' }, example: '7' }),
})

/** 新建专项检查 */
export const createCampaignSchema = z
  .object({
    title: z
      .string({ error: '请填写专项检查名称' })
      .transform((v) => v.trim())
      .pipe(z.string().min(1, '请填写专项检查名称').max(100, '名称最多 100 个字')),
    /** An inspection_kinds code (加油机 fuel_dispenser, ...). */
    kind: z.string({ error: '请选择检查类别' }).regex(/^[a-z_]{1,40}$/, '请从列表中选择检查类别'),
    startsOn: dateField('开始日期'),
    endsOn: dateField('结束日期'),
    /** County codes; a county handler's campaign is its own county's (may be left empty). */
    counties: list(countyCode, '区县', 0),
    /** Sector codes (集贸市场 market, ...). */
    sectors: list(z.string().regex(/^[a-z_]{1,40}$/, '请从列表中选择行业'), '行业'),
    drawSize: count('抽取单位数', 1, 10_000),
    inspectorsPerVisit: count('每户检查人员数', 2, 5),
  })
  .refine((c) => c.endsOn >= c.startsOn, {
    error: '结束日期不能早于开始日期',
    path: ['endsOn'],
  })

export type CreateCampaignInput = z.infer<typeof createCampaignSchema>

/** The campaign's version when the page was read: a draw or 公示 on a changed one is refused. */
const versionField = recordVersion('版本号')

export const drawCampaignSchema = z.object({ version: versionField })

const reasonField = z
  .string({ error: '请填写原因' })
  .transform((v) => v.trim())
  .pipe(z.string().min(2, '请填写原因（至少 2 个字）').max(500, '原因最多 500 个字'))

export const publishCampaignSchema = z.object({ version: versionField, reason: reasonField })

const usccField = z
  .string({ error: '请填写统一社会信用代码' })
  .transform((v) => v.trim().toUpperCase())
  .superRefine((v, ctx) => {
    const problem = usccProblem(v)
    if (problem) ctx.addIssue({ code: 'custom', message: problem.message })
  })

/** 回避: an operator's own, or (a city administrator) anyone's, given by operator id. */
export const recusalSchema = z.object({
  uscc: usccField,
  reason: reasonField,
  operatorId: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .string()
      .regex(/^[1-9]\d{0,17}$/, '人员编号应为数字')
      .optional(),
  ),
})

const campaignItemSchema = z.object({
  id: z.string(),
  title: z.string(),
  kind: z.string(),
  kindName: z.string(),
  startsOn: z.string(),
  endsOn: z.string(),
  counties: z.array(z.object({ code: z.string(), name: z.string() })),
  status: z.enum(campaignStatuses),
  statusName: z.string(),
  drawSize: z.number().int(),
  visits: z.number().int(),
  recorded: z.number().int(),
  /** Planned visits past the campaign's end. */
  overduePlanned: z.number().int(),
  /** Orders to rectify past their deadline without a follow-up. */
  overdueRectification: z.number().int(),
  published: z.boolean(),
})

export const campaignListSchema = z.object({ items: z.array(campaignItemSchema) })
export type CampaignList = z.infer<typeof campaignListSchema>

const visitSchema = z.object({
  id: z.string(),
  rank: z.number().int(),
  uscc: z.string(),
  name: z.string(),
  countyName: z.string(),
  status: z.enum(visitStatuses),
  statusName: z.string(),
  visitedOn: z.string().nullable(),
  result: z.enum(visitResults).nullable(),
  rectificationDue: z.string().nullable(),
  followUpOn: z.string().nullable(),
  inspectors: z.array(z.object({ id: z.string(), username: z.string() })),
  /** What is overdue about it, in Chinese; null when nothing is. */
  overdue: z.string().nullable(),
})

export const campaignDetailSchema = campaignItemSchema.extend({
  sectors: z.array(z.object({ code: z.string(), name: z.string() })),
  inspectorsPerVisit: z.number().int(),
  ownerCountyCode: z.string().nullable(),
  version: z.number().int(),
  draw: z
    .object({
      drawnAt: z.string(),
      seed: z.string(),
      method: z.string(),
      weights: z.object(
        Object.fromEntries(creditGrades.map((g) => [g, z.number()])) as Record<
          (typeof creditGrades)[number],
          z.ZodNumber
        >,
      ),
      pool: z.array(z.object({ uscc: z.string(), grade: z.enum(creditGrades) })),
    })
    .nullable(),
  publishedAt: z.string().nullable(),
  visitList: z.array(visitSchema),
  /** Visits outside a county operator's county are not listed; how many there are. */
  visitsElsewhere: z.number().int(),
  mayDraw: z.boolean(),
  mayPublish: z.boolean(),
})

export type CampaignDetail = z.infer<typeof campaignDetailSchema>

export const recusalListSchema = z.object({
  items: z.array(
    z.object({
      operatorId: z.string(),
      username: z.string(),
      uscc: z.string(),
      name: z.string(),
      reason: z.string(),
      createdAt: z.string(),
    }),
  ),
})
export type RecusalList = z.infer<typeof recusalListSchema>
