import { z } from '@hono/zod-openapi'
import { residentRatings } from '../../../domain/complaints.ts'
import { recordVersion } from '../record-version.ts'
import {
  appealTypes,
  complaintCategories,
  complaintChannels,
  complaintKinds,
  complaintStatuses,
  hotlineCallbackTypes,
  mediationResults,
  satisfactionLevels,
} from '../../../../db/database.ts'
import { warningStates } from '../../../domain/warnings.ts'
import { beijingInstant } from '../../../domain/beijing-time.ts'
import {
  caseFindings,
  caseFollowUps,
  type CaseFinding,
  type CaseFollowUp,
} from '../../../domain/credit.ts'
import { nameField, phoneField } from '../../complaints/schemas.ts'
import { rejectionReasons } from './labels.ts'
import { caseActions, caseMachine, type CaseAction, type CaseField } from './machine.ts'

/** A GET form sends empty fields for "any": they mean the filter is not set. */
const blankToUndefined = (v: unknown) => (v === '' ? undefined : v)
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess(blankToUndefined, schema.optional())
const flag = optional(z.enum(['1', 'true', '0', 'false'], { error: '应为 1（是）或 0（否）' }))
  .transform((v) => v === '1' || v === 'true')
  .openapi({ type: 'string', enum: ['1', '0'] })

const countyCodeSchema = z.string().regex(/^\d{6}$/, '区县代码应为 6 位数字，例如 331102（莲都区）')

/** The queue's query string (GET /api/admin/cases and the /admin/cases form alike). */
export const caseQueueQuerySchema = z.object({
  /** Free text: tracking number, merchant, address or description (the private index). */
  q: optional(
    z
      .string()
      .transform((v) => v.replace(/\p{Cc}/gu, '').trim())
      .pipe(z.string().max(100, '搜索词最多 100 个字')),
  ),
  status: optional(z.enum(complaintStatuses, { error: '状态应为 received、accepted 等之一' })),
  county: optional(countyCodeSchema),
  category: optional(z.enum(complaintCategories, { error: '请从列表中选择问题类别' })),
  kind: optional(z.enum(complaintKinds, { error: '类型应为 complaint（投诉）或 report（举报）' })),
  channel: optional(z.enum(complaintChannels, { error: '来源应为 web 或 hotline12345' })),
  /** 1: only open cases past their due date. */
  overdue: flag,
  /** 1: only open cases due within 2 working days (with `overdue`: both). */
  dueSoon: flag,
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

export type CaseQueueQuery = z.infer<typeof caseQueueQuerySchema>

const statusCounts = z.object(
  Object.fromEntries(complaintStatuses.map((s) => [s, z.number().int()])) as Record<
    (typeof complaintStatuses)[number],
    z.ZodNumber
  >,
)

const caseQueueItemSchema = z.object({
  id: z.string(),
  trackingNo: z.string(),
  kind: z.enum(complaintKinds),
  category: z.enum(complaintCategories),
  categoryName: z.string(),
  status: z.enum(complaintStatuses),
  statusName: z.string(),
  countyCode: z.string(),
  countyName: z.string(),
  channel: z.enum(complaintChannels),
  merchantName: z.string(),
  receivedAt: z.string(),
  dueAt: z.string(),
  /** Working days to the due date; negative once overdue; null for a finished case. */
  workingDaysLeft: z.number().int().nullable(),
  overdue: z.boolean(),
  /**
   * How hard the 12345 hotline is pressing: 2 supervised (督办), 1 urged (催办), 0 not at all.
   * The queue lists higher values first, then by due date.
   */
  priority: z.number().int().min(0).max(2),
  /** 督办 or 催办, as the queue flags the case; null when the hotline has not pressed. */
  priorityName: z.string().nullable(),
})

export const caseQueueSchema = z
  .object({
    items: z.array(caseQueueItemSchema),
    total: z.number().int(),
    page: z.number().int(),
    pageSize: z.number().int(),
    /** Cases of each status in the operator's scope (and the chosen county). */
    counts: statusCounts,
  })
  .openapi('CaseQueue')

export type CaseQueueItem = z.infer<typeof caseQueueItemSchema>
export type CaseQueue = z.infer<typeof caseQueueSchema>

const requestStates = ['none', 'requested', 'approved', 'rejected'] as const

/** One callback to the hotline and how its delivery stands. */
export const hotlineCallbackViewSchema = z
  .object({
    id: z.string(),
    /** The Standard Webhooks message id: the same on every try. */
    webhookId: z.string(),
    type: z.enum(hotlineCallbackTypes),
    typeName: z.string(),
    state: z.enum(['pending', 'delivered', 'dead']),
    stateName: z.string(),
    attempts: z.number().int(),
    /** When the next try is due; null unless pending. */
    nextAttemptAt: z.string().nullable(),
    lastAttemptAt: z.string().nullable(),
    /** The receiver's HTTP status at the last try; null when it did not answer. */
    lastStatus: z.number().int().nullable(),
    lastError: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('HotlineCallbackDelivery')

export type HotlineCallbackView = z.infer<typeof hotlineCallbackViewSchema>

const hotlineCaseSchema = z
  .object({
    /** 工单编号 */
    ticketNo: z.string(),
    title: z.string(),
    appealType: z.enum(appealTypes),
    urgency: z.enum(['normal', 'urgent']),
    urgencyName: z.string(),
    /** 办结期限 */
    deadline: z.string(),
    /** 催办 count */
    urgeCount: z.number().int(),
    /** 督办: when the hotline put the ticket under supervision; null if never. */
    supervisedAt: z.string().nullable(),
    returnState: z.enum(requestStates),
    returnStateName: z.string(),
    extensionState: z.enum(requestStates),
    extensionStateName: z.string(),
    satisfaction: z.enum(satisfactionLevels).nullable(),
    satisfactionName: z.string().nullable(),
    /** False while HOTLINE_CALLBACK_URL is unset: callbacks wait, queued. */
    callbackUrlConfigured: z.boolean(),
    callbacks: z.array(hotlineCallbackViewSchema),
  })
  .openapi('HotlineCase')

export type HotlineCase = z.infer<typeof hotlineCaseSchema>

export const caseDetailSchema = caseQueueItemSchema
  .extend({
    kindName: z.string(),
    channelName: z.string(),
    merchantUscc: z.string().nullable(),
    enterpriseUscc: z.string().nullable(),
    enterpriseName: z.string().nullable(),
    address: z.string(),
    occurredAt: z.string(),
    description: z.string(),
    /** Masked (张*, 138****5678); null when not given. POST …/reveal shows them in full. */
    contact: z.object({ name: z.string().nullable(), phone: z.string().nullable() }),
    /**
     * When the name, phone, free text and photos were removed (three years after the case ended,
     * or earlier at the resident's request); null while they are kept.
     */
    personalDataErasedAt: z.string().nullable(),
    /** Why: `retention` (the three years ran out) or `request` (the resident asked). */
    personalDataErasure: z.enum(['retention', 'request']).nullable(),
    /**
     * Set while a city administrator holds the erasure (reconsideration, a lawsuit): the
     * resident's data is then kept past its retention and despite a request. With why.
     */
    erasureHeldAt: z.string().nullable(),
    erasureHoldNote: z.string().nullable(),
    figures: z
      .object({
        claimedQuantity: z.string(),
        measuredQuantity: z.string(),
        unit: z.string().nullable(),
        /** The unit in Chinese (斤, 千克 …), as the case page shows it. */
        unitName: z.string().nullable(),
        unitPrice: z.string().nullable(),
        shortfallAmount: z.string().nullable(),
      })
      .nullable(),
    acceptedAt: z.string().nullable(),
    rejectionReason: z.enum(rejectionReasons).nullable(),
    rejectionReasonName: z.string().nullable(),
    rejectionNote: z.string().nullable(),
    mediationResult: z.enum(mediationResults).nullable(),
    mediationResultName: z.string().nullable(),
    handlingResult: z.string().nullable(),
    publicReply: z.string().nullable(),
    resolvedAt: z.string().nullable(),
    closedAt: z.string().nullable(),
    /**
     * 办结认定, recorded when handling ends; null for a case not ended yet or closed before
     * findings were recorded. A closed 查实/部分查实 case naming a business by credit code is on
     * that business's public credit record.
     */
    finding: z.enum(caseFindings).nullable(),
    findingName: z.string().nullable(),
    /** What followed: 调解成功, 责令改正, 立案查处, 移送 or none. */
    followUp: z.enum(caseFollowUps).nullable(),
    followUpName: z.string().nullable(),
    /**
     * 满意度与复核 (issue 25): the web resident's rating of the outcome, their comment (phone and
     * ID numbers masked) and when they asked for a review; null until rated.
     */
    residentFeedback: z
      .object({
        rating: z.enum(residentRatings),
        ratingName: z.string(),
        comment: z.string().nullable(),
        ratedAt: z.string(),
        reviewRequestedAt: z.string().nullable(),
      })
      .nullable(),
    version: z.number().int(),
    photos: z.array(z.object({ id: z.string(), url: z.string(), contentType: z.string() })),
    timeline: z.array(
      z.object({
        id: z.string(),
        kind: z.string(),
        kindName: z.string(),
        isPublic: z.boolean(),
        note: z.string(),
        actor: z.string(),
        at: z.string(),
      }),
    ),
    allowedActions: z.array(z.object({ action: z.enum(caseActions), label: z.string() })),
    /** The 12345 work order behind the case and the answers sent to it; null for a web case. */
    hotline: hotlineCaseSchema.nullable(),
    /** The warnings (预警) the case is evidence of, the latest first (issue 24). */
    warnings: z.array(
      z.object({
        id: z.string(),
        subjectKindName: z.string(),
        subjectLabel: z.string(),
        severityName: z.string(),
        state: z.enum(warningStates),
        stateName: z.string(),
        firedAt: z.string(),
      }),
    ),
    /** 合并办理 (issue 25): the case this one was merged into; null unless its status is `merged`. */
    mergedInto: z.object({ id: z.string(), trackingNo: z.string() }).nullable(),
    /** The cases merged into this one: handled with it, each resident told of it. */
    mergedCases: z.array(
      z.object({
        id: z.string(),
        trackingNo: z.string(),
        channelName: z.string(),
        receivedAt: z.string(),
        mergedAt: z.string(),
      }),
    ),
    /**
     * Likely duplicates of an open case (same business, or same place with a similar description,
     * received within 30 days), in the operator's scope, the likeliest first. `mergeRefusal`
     * says why one may not be merged into this case, or is null when it may.
     */
    duplicates: z.array(
      z.object({
        id: z.string(),
        trackingNo: z.string(),
        kindName: z.string(),
        statusName: z.string(),
        channelName: z.string(),
        receivedAt: z.string(),
        merchantName: z.string(),
        address: z.string(),
        /** The start of what the resident wrote. */
        excerpt: z.string(),
        /** How alike the descriptions are, 0–100. */
        similarity: z.number().int(),
        reasons: z.array(z.string()),
        mergeRefusal: z.string().nullable(),
      }),
    ),
  })
  .openapi('Case')

export type CaseDetail = z.infer<typeof caseDetailSchema>

export const revealedContactSchema = z
  .object({ name: z.string().nullable(), phone: z.string().nullable() })
  .openapi('RevealedContact')

const text = (what: string, max: number) =>
  z
    .string({ error: `请填写${what}` })
    .trim()
    .min(1, `请填写${what}`)
    .max(max, `${what}最多 ${max} 个字`)

/** A yes/no choice: JSON booleans, or a form's `true`/`false` (`1`/`0`). */
const yesNo = (error: string) =>
  z.preprocess(
    (v) => (v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : v),
    z.boolean({ error }),
  )

/** Accepted for a time a handler types: an offset, or a form's local time (Beijing time). */
const localOrOffsetTime =
  /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?$/

/** How far ahead of our clock a typed time may be (a handler's watch runs fast). */
const futureSlackMs = 10 * 60_000

const pastTime = (what: string) =>
  z
    // The route validates first and hands the service its output: a Date, parsed once already.
    .preprocess(
      (v) => (v instanceof Date ? v.toISOString() : v),
      z
        .string({ error: `请填写${what}` })
        .trim()
        .min(1, { error: `请填写${what}`, abort: true })
        .regex(localOrOffsetTime, `${what}格式应为 2026-11-27T10:30`),
    )
    .transform(beijingInstant)
    .refine((d) => !Number.isNaN(d.getTime()), `${what}不是有效的时间`)
    .refine((d) => d.getTime() <= Date.now() + futureSlackMs, `${what}不能晚于现在`)

/** The longest text each free-text field of an action takes (the page's maxlength too). */
export const caseTextLimits = {
  note: 2000,
  handlingResult: 5000,
  publicReply: 5000,
  returnReason: 2000,
  legalBasis: 1000,
  extensionReason: 2000,
} as const satisfies Partial<Record<CaseField, number>>

/** The most working days one extension request may ask for. */
export const maxExtensionDays = 60

/** Each input field an action may take (machine.ts says which action takes which). */
const fieldSchemas: Record<CaseField, z.ZodType> = {
  reason: z.enum(rejectionReasons, { error: '请从列表中选择不予受理的理由' }),
  note: text('说明', caseTextLimits.note),
  county: z
    .string({ error: '请选择要指派到的区县' })
    .regex(/^\d{6}$/, '请从列表中选择要指派到的区县'),
  mediationResult: z.enum(mediationResults, { error: '请选择调解结果' }),
  handlingResult: text('办理结果', caseTextLimits.handlingResult),
  publicReply: text('给投诉举报人的答复', caseTextLimits.publicReply),
  returnReason: text('退单理由', caseTextLimits.returnReason),
  legalBasis: text('退单依据', caseTextLimits.legalBasis),
  days: z.coerce
    .number({ error: '请填写延期天数' })
    .int('延期天数应为整数')
    .min(1, '延期天数至少 1 天')
    .max(maxExtensionDays, `延期天数最多 ${maxExtensionDays} 天`),
  extensionReason: text('延期理由', caseTextLimits.extensionReason),
  finding: z.enum(caseFindings, { error: '请选择核查认定：查实、部分查实、不属实或无法查实' }),
  followUp: z.enum(caseFollowUps, { error: '请选择后续处理（没有后续处理时选“无后续处理”）' }),
  resolved: yesNo('请选择问题是否已解决'),
  contactedAt: pastTime('联系诉求人的时间'),
  name: nameField,
  phone: phoneField,
}

const versionSchema = recordVersion('案件版本号', 1)

function actionSchema(action: CaseAction) {
  const shape: Record<string, z.ZodType> = { action: z.literal(action), version: versionSchema }
  for (const [field, need] of Object.entries(caseMachine[action].fields)) {
    const schema = fieldSchemas[field as CaseField]
    shape[field] = need === 'required' ? schema : z.preprocess(blankToUndefined, schema.optional())
  }
  return z.object(shape)
}

const [first, ...rest] = caseActions.map(actionSchema)

/** `{ action, version, …fields }`: the fields each action takes come from the state machine. */
export const caseActionInputSchema = z
  .discriminatedUnion('action', [first!, ...rest], {
    error: `请选择要办理的操作（${caseActions.join('、')}）`,
  })
  .openapi('CaseActionInput')

/** A validated action: the fields present are the ones its rule allows. */
export interface CaseActionInput {
  action: CaseAction
  version: number
  reason?: (typeof rejectionReasons)[number]
  note?: string
  county?: string
  mediationResult?: (typeof mediationResults)[number]
  handlingResult?: string
  publicReply?: string
  returnReason?: string
  legalBasis?: string
  days?: number
  extensionReason?: string
  finding?: CaseFinding
  followUp?: CaseFollowUp
  resolved?: boolean
  contactedAt?: Date
  name?: string
  phone?: string
}

/**
 * Parses an action. The schema is built from the machine's table, so zod infers a loose record;
 * `CaseActionInput` says what a successful parse holds.
 */
export function parseCaseAction(fields: unknown) {
  const parsed = caseActionInputSchema.safeParse(fields)
  return parsed.success
    ? { success: true as const, data: parsed.data as unknown as CaseActionInput }
    : { success: false as const, error: parsed.error }
}

/** 合并办理: the likely duplicate to merge into the case, and the case's version as it was read. */
export const caseMergeInputSchema = z
  .object({
    duplicateId: z
      .string('请从“可能重复的案件”中选择要并入的案件。')
      .regex(/^[1-9]\d{0,17}$/, '请从“可能重复的案件”中选择要并入的案件。'),
    version: z.coerce.number('版本号缺失，请刷新页面后再操作。').int().min(1),
    note: z
      .string()
      .trim()
      .max(caseTextLimits.note, `备注最多 ${caseTextLimits.note} 个字。`)
      .optional(),
  })
  .openapi('CaseMergeInput')

export type CaseMergeInput = z.infer<typeof caseMergeInputSchema>
