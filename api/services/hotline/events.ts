import { z } from '@hono/zod-openapi'
import {
  appealTypes,
  hotlineCallbackTypes,
  satisfactionLevels,
  type HotlineCallbackType,
} from '../../../db/database.ts'
import { countyCodes } from '../../domain/counties.ts'
import { usccProblem } from '../../domain/uscc.ts'

/**
 * The events of the 12345 contract (DESIGN.md section 5), as the hotline sends them: one JSON
 * event per request, `{ type, occurred_at, ticket: { ticket_no, … }, detail? }`. A dispatch
 * carries the whole ticket; later events name the ticket and put what is new in `detail`.
 * Messages are in Chinese and name the field, since the vendor's staff read them.
 */

/** An ISO 8601 time with its offset, e.g. 2026-11-26T09:30:00+08:00. */
const instantPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/
const instant = (field: string) =>
  z
    .string(`${field}应为带时区的时间，如 2026-11-26T09:30:00+08:00。`)
    .refine(
      (v) => instantPattern.test(v) && !Number.isNaN(new Date(v).getTime()),
      `${field}应为带时区的有效时间，如 2026-11-26T09:30:00+08:00。`,
    )
    .openapi({ example: '2026-11-26T09:30:00+08:00' })

const text = (field: string, max: number) =>
  z
    .string(`${field}应为文字。`)
    .trim()
    .min(1, `${field}不能为空。`)
    .max(max, `${field}最多 ${max} 个字。`)

const optionalText = (field: string, max: number) =>
  z.string(`${field}应为文字。`).trim().max(max, `${field}最多 ${max} 个字。`).optional()

export const ticketNoSchema = z
  .string('ticket_no（工单编号）应为文字。')
  .regex(/^[A-Za-z0-9-]{1,64}$/, 'ticket_no（工单编号）只能由字母、数字和“-”组成，最长 64 位。')
  .openapi({ example: 'LS12345-20261126-000123' })

const attachmentsSchema = z
  .array(
    z.url({ protocol: /^https?$/, error: 'attachments（附件）应为 http(s) 地址。' }),
    'attachments（附件）应为地址列表。',
  )
  .max(20, 'attachments（附件）最多 20 个。')

/** The whole work order, as dispatched (派单/交办). */
export const hotlineTicketSchema = z
  .object({
    ticket_no: ticketNoSchema,
    title: text('title（工单标题）', 200),
    content: text('content（诉求内容）', 5000),
    appeal_type: z.enum(
      appealTypes,
      'appeal_type（诉求类型）应为 投诉、举报、咨询、建议 或 求助。',
    ),
    urgency: z
      .enum(['normal', 'urgent'], 'urgency（紧急程度）应为 normal 或 urgent。')
      .default('normal'),
    contact_name: optionalText('contact_name（诉求人）', 50),
    contact_phone: z
      .string('contact_phone（联系电话）应为文字。')
      .transform((p) => p.replace(/[\s-]/g, '').replace(/^(\+86|0086)/, ''))
      .refine(
        (p) => /^(?:1[3-9]\d{9}|0\d{9,11})$/.test(p),
        'contact_phone（联系电话）应为手机号或带区号的固定电话。',
      )
      .optional(),
    area_code: z.enum(
      countyCodes,
      'area_code（事发区域）应为丽水九个区县之一的行政区划代码，如 331102。',
    ),
    address: optionalText('address（事发地址）', 500),
    respondent_name: optionalText('respondent_name（被投诉对象）', 200),
    respondent_uscc: z
      .string('respondent_uscc（统一社会信用代码）应为文字。')
      .transform((v) => v.trim().toUpperCase())
      .superRefine((code, ctx) => {
        const problem = usccProblem(code)
        if (problem)
          ctx.addIssue({
            code: 'custom',
            message: `respondent_uscc（统一社会信用代码）${problem.message}。`,
          })
      })
      .optional(),
    assigned_at: instant('assigned_at（交办时间）'),
    deadline: instant('deadline（办结期限）'),
    host_dept: optionalText('host_dept（主办单位）', 100),
    assist_depts: z.array(text('assist_depts（协办单位）', 100)).max(20).default([]),
    attachments: attachmentsSchema.default([]),
  })
  .refine((t) => new Date(t.deadline) > new Date(t.assigned_at), {
    error: 'deadline（办结期限）应晚于 assigned_at（交办时间）。',
    path: ['deadline'],
  })
  .openapi('HotlineTicket')

/** Later events name their ticket; other ticket fields, if sent, are ignored. */
const ticketRef = z.object({ ticket_no: ticketNoSchema }).loose()

const base = { occurred_at: instant('occurred_at（发生时间）') }
const optionalNote = z.object({ note: optionalText('detail.note（说明）', 2000) }).default({})

/**
 * The fields in which the hotline writes in its own words, which may quote the caller: replaced
 * when a case's personal data is erased (inbox.ts redactInboxBody). A new text field in the
 * schemas here belongs in this list or, if it cannot quote anyone, among the structured fields of
 * test/unit/hotline-redaction.test.ts, which fails until the field is in one of them.
 */
export const freeTextFields = {
  ticket: ['title', 'content', 'address'],
  detail: ['content', 'note', 'reason', 'opinion'],
} as const

export const hotlineEventSchema = z
  .discriminatedUnion(
    'type',
    [
      z.object({ type: z.literal('ticket.dispatched'), ...base, ticket: hotlineTicketSchema }),
      z.object({
        type: z.literal('ticket.supplemented'),
        ...base,
        ticket: ticketRef,
        detail: z.object({
          content: text('detail.content（补充内容）', 5000),
          attachments: attachmentsSchema.default([]),
        }),
      }),
      z.object({
        type: z.literal('ticket.urged'),
        ...base,
        ticket: ticketRef,
        detail: optionalNote,
      }),
      z.object({
        type: z.literal('ticket.supervised'),
        ...base,
        ticket: ticketRef,
        detail: optionalNote,
      }),
      z.object({
        type: z.literal('ticket.return_decided'),
        ...base,
        ticket: ticketRef,
        detail: z.object({
          decision: z.enum(
            ['approved', 'rejected'],
            'detail.decision（审核结果）应为 approved 或 rejected。',
          ),
          opinion: optionalText('detail.opinion（审核意见）', 2000),
        }),
      }),
      z.object({
        type: z.literal('ticket.extension_decided'),
        ...base,
        ticket: ticketRef,
        detail: z
          .object({
            decision: z.enum(
              ['approved', 'rejected'],
              'detail.decision（审核结果）应为 approved 或 rejected。',
            ),
            new_deadline: instant('detail.new_deadline（新的办结期限）').optional(),
            opinion: optionalText('detail.opinion（审核意见）', 2000),
          })
          .refine((d) => d.decision === 'rejected' || d.new_deadline !== undefined, {
            error: '延期获批时必须给出 detail.new_deadline（新的办结期限）。',
            path: ['new_deadline'],
          }),
      }),
      z.object({
        type: z.literal('ticket.revisited'),
        ...base,
        ticket: ticketRef,
        detail: z.object({
          satisfaction: z.enum(
            satisfactionLevels,
            'detail.satisfaction（满意度）应为 satisfied、basically_satisfied 或 dissatisfied。',
          ),
          note: optionalText('detail.note（回访记录）', 2000),
        }),
      }),
      z.object({
        type: z.literal('ticket.reopened'),
        ...base,
        ticket: ticketRef,
        detail: z.object({
          reason: text('detail.reason（重办原因）', 2000),
          deadline: instant('detail.deadline（重办期限）').optional(),
        }),
      }),
      z.object({
        type: z.literal('ticket.closed'),
        ...base,
        ticket: ticketRef,
        detail: optionalNote,
      }),
    ],
    { error: 'type（事件类型）应为契约列出的九种之一，如 ticket.dispatched。' },
  )
  .openapi('HotlineEvent')

export type HotlineEvent = z.infer<typeof hotlineEventSchema>
export type HotlineEventType = HotlineEvent['type']
export type HotlineTicket = z.infer<typeof hotlineTicketSchema>

export const hotlineEventTypes = [
  'ticket.dispatched',
  'ticket.supplemented',
  'ticket.urged',
  'ticket.supervised',
  'ticket.return_decided',
  'ticket.extension_decided',
  'ticket.revisited',
  'ticket.reopened',
  'ticket.closed',
] as const satisfies readonly HotlineEventType[]

/** What each event is called in the console. */
export const hotlineEventLabels: Record<HotlineEventType, string> = {
  'ticket.dispatched': '派单/交办',
  'ticket.supplemented': '补充材料',
  'ticket.urged': '催办',
  'ticket.supervised': '督办',
  'ticket.return_decided': '退单审核',
  'ticket.extension_decided': '延期审核',
  'ticket.revisited': '回访',
  'ticket.reopened': '重办',
  'ticket.closed': '结案归档',
}

/** What each of our callbacks is called (DESIGN.md section 5). */
export const hotlineCallbackLabels: Record<HotlineCallbackType, string> = {
  'ticket.signed': '签收',
  'ticket.return_requested': '退单申请',
  'ticket.extension_requested': '延期申请',
  'ticket.progress': '过程反馈',
  'ticket.completed': '办结反馈',
}

/** The payloads of our callbacks, signed like inbound events. */
export const hotlineCallbackSchema = z
  .discriminatedUnion('type', [
    z.object({
      type: z.literal('ticket.signed'),
      occurred_at: z.string(),
      ticket_no: ticketNoSchema,
      detail: z.object({ handler_unit: z.string() }),
    }),
    z.object({
      type: z.literal('ticket.return_requested'),
      occurred_at: z.string(),
      ticket_no: ticketNoSchema,
      detail: z.object({ reason: z.string(), legal_basis: z.string() }),
    }),
    z.object({
      type: z.literal('ticket.extension_requested'),
      occurred_at: z.string(),
      ticket_no: ticketNoSchema,
      detail: z.object({ days: z.number().int().min(1).max(60), reason: z.string() }),
    }),
    z.object({
      type: z.literal('ticket.progress'),
      occurred_at: z.string(),
      ticket_no: ticketNoSchema,
      detail: z.object({ note: z.string() }),
    }),
    z.object({
      type: z.literal('ticket.completed'),
      occurred_at: z.string(),
      ticket_no: ticketNoSchema,
      detail: z.object({
        is_substantiated: z.boolean(),
        resolved: z.boolean(),
        handling_note: z.string(),
        public_reply: z.string(),
        contacted_at: z.string(),
      }),
    }),
  ])
  .openapi('HotlineCallback')

export type HotlineCallback = z.infer<typeof hotlineCallbackSchema>
export type { HotlineCallbackType } from '../../../db/database.ts'
export { hotlineCallbackTypes }
