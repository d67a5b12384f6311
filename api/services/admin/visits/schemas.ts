import { z } from '@hono/zod-openapi'
import { recordVersion } from '../record-version.ts'
import {
  followUpResults,
  inspectionKinds,
  visitResults,
  visitStatuses,
} from '../../../domain/credit.ts'

/** A visit's id in a console path. */
export const visitParams = z.object({
  id: z
    .string()
    .regex(/^[1-9]\d{0,17}$/, '检查编号应为数字，请从专项检查的抽取名单进入')
    .openapi({ param: { name: 'id', in: 'path' }, example: '42' }),
})

/** A calendar day as a date input sends it. */
const day = (label: string) =>
  z
    .string({ error: `请填写${label}` })
    .regex(/^\d{4}-\d{2}-\d{2}$/, `${label}应为日期，例如 2026-10-15`)
    .refine((v) => {
      const d = new Date(`${v}T00:00:00Z`)
      return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(v)
    }, `${label}不是有效的日期`)

const text = (label: string, max: number) =>
  z
    .string({ error: `${label}应为文字` })
    .transform((v) => v.replace(/\p{Cc}/gu, ' ').trim())
    .pipe(z.string().max(max, `${label}最多 ${max} 个字`))

/** One instrument checked (计量器具). */
const instrumentSchema = z.object({
  /** 器具名称, e.g. 加油机, 电子计价秤. */
  kind: text('器具名称', 50).pipe(z.string().min(1, '请填写器具名称，例如“加油机”')),
  /** 制造商及型号 */
  makerModel: text('制造商及型号', 100).default(''),
  /** 出厂编号 */
  serialNo: text('出厂编号', 100).default(''),
  /** 强制检定在有效期内 */
  verificationValid: z.boolean({ error: '请选择强制检定是否有效' }),
  /** 检查结论：合格 */
  passed: z.boolean({ error: '请选择该器具是否合格' }),
  /** 实测误差 as written, e.g. "-0.35%" or "+5 g". */
  measuredError: text('实测误差', 50).default(''),
})

/** The most instruments one visit records; the page offers no more rows than this. */
export const maxInstruments = 50

/**
 * A visit's record as saved (POST /api/admin/visits/{id} and the visit page alike): the whole
 * record each time, with the version it was read at.
 */
export const visitRecordInputSchema = z.object({
  /** The version the visit was read at; a save of an older one is refused (409). */
  version: recordVersion('版本号'),
  /** 检查日期 */
  visitedOn: day('检查日期'),
  /** The assigned inspectors who went (at least two). */
  inspectorIds: z
    .array(z.string().regex(/^[1-9]\d{0,17}$/, '检查人员应从名单中选择'), {
      error: '请选择在场的检查人员',
    })
    .min(2, '请选择至少两名在场的检查人员')
    .max(5, '最多五名检查人员'),
  instruments: z
    .array(instrumentSchema, { error: '请填写检查的计量器具' })
    .min(1, '请至少填写一台检查的计量器具')
    .max(maxInstruments, `一次检查最多记录 ${maxInstruments} 台计量器具`),
  /** 检查发现 (public: no personal names or numbers). */
  findings: text('检查发现', 2000).default(''),
  /** 检查结论; 不合格 when any instrument fails or its verification lapsed. */
  result: z.enum(visitResults, { error: '请选择检查结论：合格或不合格' }),
  /** 责令整改期限; required when the result is 不合格. */
  rectificationDue: day('整改期限').nullable().default(null),
  /** 复查日期 */
  followUpOn: day('复查日期').nullable().default(null),
  /** 复查结果 */
  followUpResult: z
    .enum(followUpResults, { error: '复查结果应为已整改或未整改' })
    .nullable()
    .default(null),
  /** 复查说明 (console only). */
  followUpNote: text('复查说明', 2000).default(''),
  /** Why a published record is changed; required then, kept in the audit log. */
  reason: text('修改原因', 500).optional(),
})

export type VisitRecordInput = z.output<typeof visitRecordInputSchema>

export const visitDetailSchema = z
  .object({
    id: z.string(),
    uscc: z.string(),
    businessName: z.string(),
    businessAddress: z.string(),
    countyCode: z.string(),
    countyName: z.string(),
    drawRank: z.number().int(),
    campaign: z.object({
      id: z.string(),
      title: z.string(),
      kind: z.enum(inspectionKinds),
      kindName: z.string(),
      startsOn: z.string(),
      endsOn: z.string(),
    }),
    status: z.enum(visitStatuses),
    statusName: z.string(),
    visitedOn: z.string().nullable(),
    result: z.enum(visitResults).nullable(),
    resultName: z.string().nullable(),
    findings: z.string(),
    rectificationDue: z.string().nullable(),
    followUpOn: z.string().nullable(),
    followUpResult: z.enum(followUpResults).nullable(),
    followUpResultName: z.string().nullable(),
    followUpNote: z.string(),
    recordedAt: z.string().nullable(),
    publishedAt: z.string().nullable(),
    version: z.number().int(),
    inspectors: z.array(z.object({ id: z.string(), username: z.string(), present: z.boolean() })),
    instruments: z.array(
      z.object({
        kind: z.string(),
        makerModel: z.string(),
        serialNo: z.string(),
        verificationValid: z.boolean(),
        passed: z.boolean(),
        measuredError: z.string(),
      }),
    ),
    photos: z.array(
      z.object({
        id: z.string(),
        url: z.string(),
        contentType: z.string(),
        originalName: z.string(),
      }),
    ),
    /** Whether this operator may save the record and add photos. */
    mayEdit: z.boolean(),
    /** How many more photos the visit may have. */
    photosLeft: z.number().int(),
  })
  .openapi('InspectionVisit')

export type VisitDetail = z.infer<typeof visitDetailSchema>
