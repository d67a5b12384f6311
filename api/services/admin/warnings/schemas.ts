import { z } from '@hono/zod-openapi'
import {
  warningActions,
  warningRules,
  warningSeverities,
  warningStates,
  warningSubjectKinds,
} from '../../../domain/warnings.ts'
import { recordVersion } from '../record-version.ts'

/** A GET form sends empty fields for "any": they mean the filter is not set. */
const blankToUndefined = (v: unknown) => (v === '' ? undefined : v)
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess(blankToUndefined, schema.optional())

const countyCode = z.string().regex(/^\d{6}$/, '区县代码应为 6 位数字，例如 331102（莲都区）')

/** The warnings list (GET /api/admin/warnings and the /admin/warnings form alike). */
export const warningListQuerySchema = z.object({
  /** Only this county's warnings (a city-level operator's choice). */
  county: optional(countyCode),
  /** open 待处置, acknowledged 已确认, handled 已处置, dismissed 已排除. */
  state: optional(z.enum(warningStates, { error: '请从列表中选择预警状态' })),
  page: z.preprocess(
    blankToUndefined,
    z.coerce
      .number()
      .int('页码应为整数')
      .min(1, '页码从 1 开始')
      .max(10_000, '页码过大')
      .default(1),
  ),
})
export type WarningListQuery = z.infer<typeof warningListQuerySchema>

/** How many warnings a list page shows. */
export const warningPageSize = 30

/** A warning's id in a console path. */
export const warningParams = z.object({
  id: z
    .string()
    .regex(/^[1-9]\d{0,17}$/, '预警编号应为数字，请从预警列表进入')
    .openapi({ param: { name: 'id', in: 'path' }, example: '7' }),
})

/** The longest note or reason a warning keeps (the column's check). */
export const maxWarningNote = 500

const note = (what: string) =>
  z
    .string({ error: `请填写${what}` })
    .trim()
    .max(maxWarningNote, `${what}最多 ${maxWarningNote} 个字`)

const version = recordVersion('版本号', 1)

/**
 * What a handler does about a warning (POST /api/admin/warnings/:id/actions): 确认 (acknowledge),
 * 处置 (handle, with what was done) or 排除 (dismiss, with why). `version` is the one read.
 */
export const warningActionSchema = z
  .discriminatedUnion(
    'action',
    [
      z.object({ action: z.literal('acknowledge'), version }),
      z.object({
        action: z.literal('handle'),
        version,
        /** What was done: 专项检查, cases merged, mediation, other. */
        handling: z.enum(warningActions, { error: '请选择处置方式' }),
        /** Optional words on what was done; never a resident's details. */
        note: z.preprocess(blankToUndefined, note('处置说明').optional()),
      }),
      z.object({
        action: z.literal('dismiss'),
        version,
        /** Why it is not a real cluster (required). */
        reason: note('排除原因').min(1, '请填写排除原因，例如：同一投诉人重复提交'),
      }),
    ],
    { error: '请选择要进行的操作：确认、处置或排除' },
  )
  .openapi('WarningAction')
export type WarningActionInput = z.infer<typeof warningActionSchema>

const warningCaseSchema = z.object({
  id: z.string(),
  trackingNo: z.string(),
  receivedAt: z.string(),
  category: z.string(),
  categoryName: z.string(),
  status: z.string(),
  statusName: z.string(),
})

const warningViewSchema = z
  .object({
    id: z.string(),
    subjectKind: z.enum(warningSubjectKinds),
    subjectKindName: z.string(),
    /** What the subject is called (a business, an address, …); never a resident's detail. */
    subjectLabel: z.string(),
    /** null: city-wide. */
    countyCode: z.string().nullable(),
    countyName: z.string(),
    severity: z.literal([...warningSeverities]),
    severityName: z.string(),
    rule: z.enum(warningRules),
    ruleName: z.string(),
    windowHours: z.number().int(),
    /** Complaints in the window when it fired or last grew. */
    windowCount: z.number().int(),
    /** What the subject's own baseline expected in such a window. */
    expected: z.number(),
    state: z.enum(warningStates),
    stateName: z.string(),
    firedAt: z.string(),
    lastCaseAt: z.string(),
    acknowledgedAt: z.string().nullable(),
    closedAt: z.string().nullable(),
    /** 处置方式, for a handled warning. */
    action: z.enum(warningActions).nullable(),
    actionName: z.string().nullable(),
    /** 处置说明 or 排除原因. */
    closingNote: z.string().nullable(),
    version: z.number().int(),
  })
  .openapi('Warning')
export type WarningView = z.infer<typeof warningViewSchema>

export const warningDetailSchema = warningViewSchema
  .extend({
    /** Its evidence: the cases, without any resident's details. */
    cases: z.array(warningCaseSchema),
    /** Whether this operator may acknowledge, handle or dismiss it now. */
    mayAct: z.boolean(),
  })
  .openapi('WarningDetail')
export type WarningDetail = z.infer<typeof warningDetailSchema>

export const warningListSchema = z
  .object({
    items: z.array(warningViewSchema),
    total: z.number().int(),
    page: z.number().int(),
    pageSize: z.number().int(),
    /** Open or acknowledged warnings in the operator's scope. */
    openCount: z.number().int(),
  })
  .openapi('WarningList')
export type WarningList = z.infer<typeof warningListSchema>

/** A fixed threshold (POST /api/admin/warnings/thresholds), set or replaced for kind and county. */
export const thresholdInputSchema = z
  .object({
    subjectKind: z.enum(warningSubjectKinds, { error: '请选择预警对象类型' }),
    /** A county's code, or empty for 全市 (every county without one of its own). */
    county: optional(countyCode),
    /** 统计时段（小时）: 1 to 720 (30 days). */
    windowHours: z.coerce
      .number({ error: '请填写统计时段（小时）' })
      .int('统计时段应为整数小时')
      .min(1, '统计时段至少 1 小时')
      .max(720, '统计时段最多 720 小时（30 天）'),
    /** 触发数量: a warning fires at this many complaints in the window; 2 to 10,000. */
    minCount: z.coerce
      .number({ error: '请填写触发数量' })
      .int('触发数量应为整数')
      .min(2, '触发数量至少为 2 件，1 件投诉不构成聚集')
      .max(10_000, '触发数量最多 10000 件'),
    severity: z.coerce
      .number({ error: '请选择预警等级' })
      .pipe(z.literal([...warningSeverities], { error: '请选择预警等级' })),
  })
  .openapi('WarningThresholdInput')
export type ThresholdInput = z.infer<typeof thresholdInputSchema>

export const thresholdParams = z.object({
  id: z
    .string()
    .regex(/^[1-9]\d{0,17}$/, '阈值编号应为数字，请从阈值列表进入')
    .openapi({ param: { name: 'id', in: 'path' }, example: '3' }),
})

const thresholdViewSchema = z
  .object({
    id: z.string(),
    subjectKind: z.enum(warningSubjectKinds),
    subjectKindName: z.string(),
    countyCode: z.string().nullable(),
    /** The county's name, or 全市. */
    countyName: z.string(),
    windowHours: z.number().int(),
    minCount: z.number().int(),
    severity: z.number().int(),
    severityName: z.string(),
    updatedBy: z.string().nullable(),
    updatedAt: z.string(),
  })
  .openapi('WarningThreshold')
export type ThresholdView = z.infer<typeof thresholdViewSchema>

export const thresholdListSchema = z
  .object({ items: z.array(thresholdViewSchema) })
  .openapi('WarningThresholdList')
export type ThresholdList = z.infer<typeof thresholdListSchema>
