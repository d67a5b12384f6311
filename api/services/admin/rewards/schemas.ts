import { z } from '@hono/zod-openapi'
import {
  rewardLimits,
  rewardMethods,
  rewardRules,
  rewardStates,
  yuanToFen,
} from '../../../domain/rewards.ts'
import { recordVersion } from '../record-version.ts'

/** A GET form or a blank optional field sends '': it means "not given". */
const blankToUndefined = (v: unknown) => (v === '' ? undefined : v)

const version = recordVersion('版本号', 0)

const text = (what: string, max: number) =>
  z
    .string({ error: `请填写${what}` })
    .trim()
    .min(1, `请填写${what}`)
    .max(max, `${what}最多 ${max} 个字，请精简`)

/** 奖励金额 in yuan as typed ("1234.56"): to fen, within the national ceiling per case. */
const amount = z
  .union([z.string(), z.number()], { error: '请填写奖励金额（元），例如 2000 或 1234.56' })
  .transform((v, ctx) => {
    const fen = yuanToFen(String(v))
    if (fen === null || fen <= 0) {
      ctx.addIssue({
        code: 'custom',
        message: '奖励金额应为大于 0 的数字，最多两位小数，例如 2000 或 1234.56',
      })
      return z.NEVER
    }
    if (fen > rewardLimits.maxAmountFen) {
      ctx.addIssue({ code: 'custom', message: '每起案件的举报奖励最多 1000000 元（100 万元）' })
      return z.NEVER
    }
    return fen
  })

const isDate = (s: string) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`))

/**
 * One step on a case's reward (POST /api/admin/cases/:id/reward and the case page's forms).
 * `version` is the reward's as read, 0 before any was proposed: a step over a newer one is 409.
 */
export const rewardActionSchema = z
  .discriminatedUnion(
    'action',
    [
      z.object({
        action: z.literal('propose'),
        version,
        /** 奖励金额（元）, e.g. "1234.56". */
        amount,
        /** 奖励依据: grade_1, grade_2, grade_3 or local. */
        rule: z.enum(rewardRules, { error: '请选择奖励依据' }),
        /** 计算说明: how the amount was worked out (internal). */
        note: z.preprocess(blankToUndefined, text('计算说明', rewardLimits.noteChars).optional()),
      }),
      z.object({ action: z.literal('approve'), version }),
      z.object({
        action: z.literal('refuse'),
        version,
        /** 不予批准的理由 (internal; the handler who proposed reads it). */
        reason: text('不予批准的理由', rewardLimits.reasonChars),
      }),
      z.object({
        action: z.literal('record_payment'),
        version,
        /** 发放日期 YYYY-MM-DD (Beijing). */
        paidOn: z
          .string({ error: '请填写发放日期，例如 2026-12-08' })
          .regex(/^\d{4}-\d{2}-\d{2}$/, '发放日期应写作 年-月-日，例如 2026-12-08')
          .refine(isDate, '发放日期不是有效的日期'),
        /** 发放方式 */
        method: z.enum(rewardMethods, { error: '请选择发放方式' }),
        /** 转账流水号或领取凭证编号 */
        reference: text('转账流水号或领取凭证编号', rewardLimits.referenceChars),
      }),
    ],
    { error: '请选择要进行的操作：提出奖励、批准、不予批准或登记发放' },
  )
  .openapi('RewardAction')
export type RewardActionInput = z.infer<typeof rewardActionSchema>

/** A case's id in a console path. */
export const rewardCaseParams = z.object({
  id: z
    .string()
    .regex(/^[1-9]\d{0,17}$/, '案件编号应为数字，请从案件列表进入')
    .openapi({ param: { name: 'id', in: 'path' }, example: '42' }),
})

const rewardViewSchema = z.object({
  state: z.enum(rewardStates),
  stateName: z.string(),
  /** 已过领取期限: approved, not confirmed, the period over. */
  expired: z.boolean(),
  /** Yuan with two decimals, e.g. "1234.56". Never public. */
  amount: z.string(),
  rule: z.enum(rewardRules),
  ruleName: z.string(),
  note: z.string(),
  proposedBy: z.string().nullable(),
  proposedAt: z.string(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  refusalReason: z.string().nullable(),
  claimDeadline: z.string().nullable(),
  claimedAt: z.string().nullable(),
  claimMethod: z.enum(rewardMethods).nullable(),
  /** The reporter's receiving details, masked (张*, 6222 **** 1234); null when none or erased. */
  payee: z
    .object({ payeeName: z.string(), bankName: z.string(), accountNo: z.string() })
    .nullable(),
  paidOn: z.string().nullable(),
  paymentMethod: z.enum(rewardMethods).nullable(),
  paymentReference: z.string().nullable(),
  paidBy: z.string().nullable(),
  version: z.number().int(),
})

/** 举报奖励 on a case, and what the operator may do about it now. */
export const caseRewardSchema = z
  .object({
    complaintId: z.string(),
    trackingNo: z.string(),
    kind: z.enum(['complaint', 'report']),
    /** Why no reward may be proposed on this case, or null when one may. */
    ineligibleReason: z.string().nullable(),
    reward: rewardViewSchema.nullable(),
    mayPropose: z.boolean(),
    mayDecide: z.boolean(),
    mayRecordPayment: z.boolean(),
  })
  .openapi('CaseReward')
export type CaseReward = z.infer<typeof caseRewardSchema>
export type RewardView = z.infer<typeof rewardViewSchema>

/** The rewards list (GET /api/admin/rewards and /admin/rewards alike). */
export const rewardListQuerySchema = z.object({
  /** Only this county's (a city-level operator's choice). */
  county: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^\d{6}$/, '区县代码应为 6 位数字，例如 331102（莲都区）')
      .optional(),
  ),
  /** proposed 待审批, approved, refused, claimed 待发放, paid. */
  state: z.preprocess(
    blankToUndefined,
    z.enum(rewardStates, { error: '请从列表中选择奖励状态' }).optional(),
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
export type RewardListQuery = z.infer<typeof rewardListQuerySchema>

export const rewardPageSize = 30

export const rewardListSchema = z
  .object({
    items: z.array(
      z.object({
        complaintId: z.string(),
        trackingNo: z.string(),
        countyName: z.string(),
        state: z.enum(rewardStates),
        stateName: z.string(),
        expired: z.boolean(),
        amount: z.string(),
        ruleName: z.string(),
        proposedAt: z.string(),
        claimDeadline: z.string().nullable(),
        paidOn: z.string().nullable(),
      }),
    ),
    total: z.number().int(),
    page: z.number().int(),
    pageSize: z.number().int(),
  })
  .openapi('RewardList')
export type RewardList = z.infer<typeof rewardListSchema>

/** The reporter's receiving details in full (POST /api/admin/cases/:id/reward/payee). */
export const rewardPayeeSchema = z
  .object({ payeeName: z.string(), bankName: z.string(), accountNo: z.string() })
  .openapi('RewardPayee')
