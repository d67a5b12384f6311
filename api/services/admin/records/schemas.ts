import { z } from '@hono/zod-openapi'
import { recordVersion } from '../record-version.ts'
import { complaintCategories } from '../../../../db/database.ts'
import { commitmentVersionPattern, signerRoles } from '../../../domain/commitments.ts'
import {
  caseFindings,
  caseFollowUps,
  correctionEffects,
  creditGrades,
  followUpResults,
  inspectionKinds,
  objectionStatuses,
  penaltyKinds,
  recordItemKinds,
  visitResults,
  visitStatuses,
} from '../../../domain/credit.ts'

/** A form sends empty fields for "not given". */
const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v)

const day = (label: string) =>
  z
    .string(`请填写${label}`)
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, `${label}的格式应为 2026-12-06`)
    .refine((v) => {
      const d = new Date(`${v}T00:00:00Z`)
      return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v
    }, `${label}这一天不存在，请核对`)

const text = (label: string, max: number) =>
  z
    .string(`请填写${label}`)
    .trim()
    .min(1, `请填写${label}`)
    .max(max, `${label}最多 ${max} 个字，请精简`)

const recordId = (label: string) =>
  z
    .string(`缺少${label}编号`)
    .trim()
    .regex(/^[1-9]\d{0,17}$/, `${label}编号应为数字，请从信用记录页面进入`)

/** 记录自我承诺: which published text, signed on which day, by which role (never a name). */
export const commitmentInputSchema = z
  .object({
    textVersion: z
      .string('请选择承诺书版本')
      .trim()
      .regex(commitmentVersionPattern, '请从列表中选择已发布的承诺书版本')
      .openapi({ description: '已发布的承诺书版本（content/commitments/<version>.md），如 v1' }),
    signedOn: day('签署日期'),
    signerRole: z
      .enum(signerRoles, { error: `签署人职务请选择：${signerRoles.join('、')}` })
      .openapi({ description: '签署人的职务（不是姓名或身份证号）' }),
  })
  .openapi('CommitmentInput')

export type CommitmentInput = z.infer<typeof commitmentInputSchema>

/** 撤回承诺, with the reason kept beside it. */
export const withdrawalInputSchema = z
  .object({ reason: text('撤回原因', 500) })
  .openapi('CommitmentWithdrawal')

/** 登记异议: the item the business disputes, its statement and the day it was received. */
export const objectionInputSchema = z
  .object({
    itemKind: z.enum(recordItemKinds, {
      error: '请选择异议针对的记录类型：检查记录、投诉举报查实记录、行政处罚记录或自我承诺',
    }),
    itemId: recordId('记录'),
    receivedOn: day('收到异议的日期'),
    statement: text('单位提出的异议内容', 2000).openapi({
      description: '单位的书面陈述（内部，不公开）；不要写入个人的姓名、电话或身份证号',
    }),
  })
  .openapi('ObjectionInput')

export type ObjectionInput = z.infer<typeof objectionInputSchema>

/**
 * 异议处理结果. Upheld: the record is corrected (struck: the item no longer counts; amended: the
 * one wrong field gets its right value), with a public note. Rejected: the record stands.
 */
export const decisionInputSchema = z
  .object({
    version: recordVersion('版本信息'),
    outcome: z.enum(['upheld', 'rejected'], { error: '请选择处理结果：异议成立或异议不成立' }),
    outcomeNote: text('核实情况', 2000).openapi({ description: '核实经过和结论（内部）' }),
    effect: z.preprocess(
      blankToUndefined,
      z.enum(correctionEffects, { error: '请选择更正方式：删除该条记录或更正记录内容' }).optional(),
    ),
    publicNote: z.preprocess(
      blankToUndefined,
      text('公开的更正说明', 300)
        .optional()
        .openapi({ description: '随更正公开：写明更正了什么；不要写入个人信息' }),
    ),
    /** Amending an inspection: its right result. */
    result: z.preprocess(
      blankToUndefined,
      z.enum(visitResults, { error: '请选择更正后的检查结果' }).optional(),
    ),
    /** Amending a case: its right finding. */
    finding: z.preprocess(
      blankToUndefined,
      z.enum(caseFindings, { error: '请选择更正后的办结认定' }).optional(),
    ),
    /** Amending a penalty: its right penalty text. */
    penalty: z.preprocess(blankToUndefined, text('更正后的处罚内容', 500).optional()),
  })
  .openapi('ObjectionDecision')

export type DecisionInput = z.infer<typeof decisionInputSchema>

export const recordsQuerySchema = z.object({
  /** A credit code (or its beginning) or part of a name. */
  q: z.preprocess(
    blankToUndefined,
    z
      .string()
      .transform((v) => v.replace(/\p{Cc}/gu, '').trim())
      .pipe(z.string().max(100, '搜索词最多 100 个字'))
      .optional(),
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
})

export type RecordsQuery = z.infer<typeof recordsQuerySchema>

const businessSchema = z.object({
  uscc: z.string(),
  name: z.string(),
  countyCode: z.string(),
  /** On the certified list. */
  certified: z.boolean(),
})

export const recordsPageSchema = z
  .object({
    /** Businesses matching `q` (empty without one). */
    matches: z.array(businessSchema),
    /** 尚未签署承诺的诚信计量单位 in the operator's scope. */
    uncommitted: z.object({
      items: z.array(businessSchema),
      total: z.number().int(),
      page: z.number().int(),
      pageSize: z.number().int(),
    }),
  })
  .openapi('ConsoleRecords')

export type RecordsPage = z.infer<typeof recordsPageSchema>

const correctionSchema = z
  .object({
    effect: z.enum(correctionEffects),
    note: z.string(),
    objectionId: z.string().nullable(),
    correctedAt: z.string(),
  })
  .nullable()

export const consoleRecordSchema = z
  .object({
    uscc: z.string(),
    name: z.string(),
    countyCode: z.string(),
    /** The certification's status; null for a market entity not on the list (未认定). */
    certificationStatus: z.enum(['active', 'suspended', 'revoked', 'expired']).nullable(),
    /** The current grade; null when none was computed yet (treated as B). */
    grade: z
      .object({
        grade: z.enum(creditGrades),
        ruleVersion: z.string(),
        reasons: z.array(z.string()),
        nextAgeOut: z.string().nullable(),
        computedAt: z.string(),
      })
      .nullable(),
    /** Every commitment, withdrawn ones too; `current` marks the one in force. */
    commitments: z.array(
      z.object({
        id: z.string(),
        textVersion: z.string(),
        signedOn: z.string(),
        signerRole: z.string(),
        source: z.string(),
        current: z.boolean(),
        withdrawnAt: z.string().nullable(),
        withdrawalReason: z.string().nullable(),
        recordedAt: z.string(),
        correction: correctionSchema,
      }),
    ),
    inspections: z.array(
      z.object({
        id: z.string(),
        campaignId: z.string(),
        campaignTitle: z.string(),
        kind: z.enum(inspectionKinds).or(z.string()),
        status: z.enum(visitStatuses),
        visitedOn: z.string().nullable(),
        result: z.enum(visitResults).nullable(),
        findings: z.string(),
        rectificationDue: z.string().nullable(),
        followUpOn: z.string().nullable(),
        followUpResult: z.enum(followUpResults).nullable(),
        publishedAt: z.string().nullable(),
        correction: correctionSchema,
      }),
    ),
    /** Closed cases naming the business, every finding; `public` when on the public record. */
    cases: z.array(
      z.object({
        id: z.string(),
        trackingNo: z.string(),
        category: z.enum(complaintCategories),
        finding: z.enum(caseFindings),
        followUp: z.enum(caseFollowUps).nullable(),
        closedOn: z.string(),
        public: z.boolean(),
        correction: correctionSchema,
      }),
    ),
    penalties: z.array(
      z.object({
        id: z.string(),
        decisionNo: z.string(),
        decidedOn: z.string(),
        kind: z.enum(penaltyKinds),
        violation: z.string(),
        penalty: z.string(),
        legalBasis: z.string(),
        publishedAt: z.string().nullable(),
        publishUntil: z.string(),
        takenDownAt: z.string().nullable(),
        correction: correctionSchema,
      }),
    ),
    objections: z.array(
      z.object({
        id: z.string(),
        itemKind: z.enum(recordItemKinds),
        itemId: z.string(),
        receivedOn: z.string(),
        statement: z.string(),
        status: z.enum(objectionStatuses),
        outcomeNote: z.string().nullable(),
        decidedAt: z.string().nullable(),
        decidedBy: z.string().nullable(),
        /** Send back with a decision: a decision made meanwhile answers 409. */
        version: z.number().int(),
      }),
    ),
    /** The published commitment texts a new commitment may name. */
    commitmentVersions: z.array(z.string()),
    /** Whether this operator may record commitments and objections here. */
    mayChange: z.boolean(),
  })
  .openapi('ConsoleCreditRecord')

export type ConsoleRecord = z.infer<typeof consoleRecordSchema>
