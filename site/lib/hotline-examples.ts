import type { z } from 'zod'
import type {
  hotlineCallbackSchema,
  hotlineEventSchema,
  HotlineEventType,
} from '../../api/services/hotline/events.ts'
import { parseWebhookSecret, signWebhook } from '../../api/hotline/signature.ts'
import type { HotlineCallbackType } from '../../db/database.ts'
import {
  exampleTicket,
  hotlineCallbackExamples,
  hotlineEventExamples,
} from '../../api/services/hotline/examples.ts'

/**
 * The examples of the 12345 vendor page (/developers/12345), kept here so that a test
 * (test/unit/hotline-docs.test.ts) parses every one against the contract's schemas and checks the
 * documented answers and retry schedule against the code: the page cannot drift from the API.
 */

type EventInput = z.input<typeof hotlineEventSchema>
type CallbackInput = z.input<typeof hotlineCallbackSchema>

export const hotlineEventsPath = '/api/hotline/12345/events'

const ticket = { ticket_no: exampleTicket.ticket_no }

export interface TicketField {
  name: keyof typeof exampleTicket
  label: string
  type: string
  required: boolean
  note: string
}

/** The fields of a dispatched ticket (DESIGN.md section 5). */
export const ticketFields: TicketField[] = [
  {
    name: 'ticket_no',
    label: '工单编号',
    type: '文字',
    required: true,
    note: '字母、数字和“-”，最长 64 位；同一工单的所有事件都用它',
  },
  { name: 'title', label: '工单标题', type: '文字', required: true, note: '最长 200 字' },
  { name: 'content', label: '诉求内容', type: '文字', required: true, note: '最长 5000 字' },
  {
    name: 'appeal_type',
    label: '诉求类型',
    type: '文字',
    required: true,
    note: '投诉、举报、咨询、建议 或 求助',
  },
  {
    name: 'urgency',
    label: '紧急程度',
    type: '文字',
    required: false,
    note: 'normal（默认）或 urgent',
  },
  {
    name: 'contact_name',
    label: '诉求人',
    type: '文字',
    required: false,
    note: '最长 50 字；匿名来电可不填',
  },
  {
    name: 'contact_phone',
    label: '联系电话',
    type: '文字',
    required: false,
    note: '手机号或带区号的固定电话，可带 +86、空格或“-”',
  },
  {
    name: 'area_code',
    label: '事发区域',
    type: '文字',
    required: true,
    note: '丽水九个区县之一的行政区划代码，如 331102（莲都区）',
  },
  { name: 'address', label: '事发地址', type: '文字', required: false, note: '最长 500 字' },
  {
    name: 'respondent_name',
    label: '被投诉对象',
    type: '文字',
    required: false,
    note: '最长 200 字',
  },
  {
    name: 'respondent_uscc',
    label: '被投诉对象统一社会信用代码',
    type: '文字',
    required: false,
    note: '18 位，校验位须正确',
  },
  {
    name: 'assigned_at',
    label: '交办时间',
    type: '时间',
    required: true,
    note: '带时区，如 2026-11-26T09:30:00+08:00',
  },
  {
    name: 'deadline',
    label: '办结期限',
    type: '时间',
    required: true,
    note: '带时区，须晚于交办时间',
  },
  { name: 'host_dept', label: '主办单位', type: '文字', required: false, note: '最长 100 字' },
  {
    name: 'assist_depts',
    label: '协办单位',
    type: '文字列表',
    required: false,
    note: '最多 20 个',
  },
  {
    name: 'attachments',
    label: '附件',
    type: '地址列表',
    required: false,
    note: 'http(s) 地址，最多 20 个',
  },
]

export interface EventExample {
  type: HotlineEventType
  label: string
  /** What the event does to the case on our side. */
  effect: string
  example: EventInput
}

/** The nine events the hotline sends, one example each. */
export const eventExamples: EventExample[] = [
  {
    type: 'ticket.dispatched',
    label: '派单/交办',
    effect: '按工单建立案件，进入事发区域所属区县的办理队列。',
    example: hotlineEventExamples['ticket.dispatched'],
  },
  {
    type: 'ticket.supplemented',
    label: '补充材料',
    effect: '把补充的内容和附件追加到案件。',
    example: hotlineEventExamples['ticket.supplemented'],
  },
  {
    type: 'ticket.urged',
    label: '催办',
    effect: '记录催办并在案件上标记，案件在办理队列中靠前。',
    example: hotlineEventExamples['ticket.urged'],
  },
  {
    type: 'ticket.supervised',
    label: '督办',
    effect: '记录督办并提高案件优先级。',
    example: hotlineEventExamples['ticket.supervised'],
  },
  {
    type: 'ticket.return_decided',
    label: '退单审核',
    effect: '同意（approved）：案件退出本平台办理队列；不同意（rejected）：继续办理。',
    example: hotlineEventExamples['ticket.return_decided'],
  },
  {
    type: 'ticket.extension_decided',
    label: '延期审核',
    effect: '同意：按 new_deadline 改为新的办结期限（同意时必填）；不同意：原期限不变。',
    example: hotlineEventExamples['ticket.extension_decided'],
  },
  {
    type: 'ticket.revisited',
    label: '回访',
    effect:
      '记录诉求人的满意度：satisfied 满意、basically_satisfied 基本满意、dissatisfied 不满意。',
    example: hotlineEventExamples['ticket.revisited'],
  },
  {
    type: 'ticket.reopened',
    label: '重办',
    effect: '按重办原因重新打开案件；可给出重办期限。',
    example: hotlineEventExamples['ticket.reopened'],
  },
  {
    type: 'ticket.closed',
    label: '结案归档',
    effect: '在本平台结案归档。',
    example: hotlineEventExamples['ticket.closed'],
  },
]

export interface CallbackExample {
  type: HotlineCallbackType
  label: string
  /** When we send it. */
  when: string
  example: CallbackInput
}

/** The five callbacks we send to the hotline, one example each. */
export const callbackExamples: CallbackExample[] = [
  {
    type: 'ticket.signed',
    label: '签收',
    when: '承办单位在后台签收工单时。handler_unit 为承办单位。',
    example: hotlineCallbackExamples['ticket.signed'],
  },
  {
    type: 'ticket.return_requested',
    label: '退单申请',
    when: '承办单位认为工单不属本单位职责、申请退单时，附理由和依据。',
    example: hotlineCallbackExamples['ticket.return_requested'],
  },
  {
    type: 'ticket.extension_requested',
    label: '延期申请',
    when: '承办单位申请延长办结期限时；days 为申请延长的天数（1–60）。',
    example: hotlineCallbackExamples['ticket.extension_requested'],
  },
  {
    type: 'ticket.progress',
    label: '过程反馈',
    when: '承办单位反馈阶段性进展时。',
    example: hotlineCallbackExamples['ticket.progress'],
  },
  {
    type: 'ticket.completed',
    label: '办结反馈',
    when: '承办单位办结时：是否属实、是否解决、办理情况、对诉求人的答复和联系时间。',
    example: hotlineCallbackExamples['ticket.completed'],
  },
]

/** An event that fails the schema, and the 400 it is answered with. */
export const invalidEventExample = {
  event: { type: 'ticket.urged', occurred_at: '2026-11-28 10:00', ticket },
  status: 400,
  body: {
    error: {
      code: 'VALIDATION_FAILED',
      message:
        '事件内容有误：occurred_at（发生时间）应为带时区的有效时间，如 2026-11-26T09:30:00+08:00。',
      requestId: 'b1f3c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
      details: [
        {
          field: 'occurred_at',
          message: 'occurred_at（发生时间）应为带时区的有效时间，如 2026-11-26T09:30:00+08:00。',
        },
      ],
    },
  },
}

/** The answers the events endpoint gives. */
export const answerExamples = [
  {
    status: 202,
    meaning: '已收到并保存，随后由后台处理。重发同一 webhook-id 得到完全相同的应答。',
    body: { received: true, webhook_id: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W' },
  },
  {
    status: 400,
    meaning:
      '签名有效，但内容不符合本契约：details 逐条列出有误的字段。该事件以“已拒收”保存，不会生效；请改正后用新的 webhook-id 重发。',
    body: invalidEventExample.body,
  },
  {
    status: 401,
    meaning:
      '缺少签名请求头、时间戳与本平台时间相差超过 5 分钟，或签名无效。什么都不保存，可修正后用同一 webhook-id 重发。',
    body: {
      error: {
        code: 'UNAUTHORIZED',
        message:
          '签名无效：webhook-signature 与用约定密钥计算的签名不符。请核对密钥，并对原始请求内容签名后重新发送。',
        requestId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
        details: { reason: 'bad_signature' },
      },
    },
  },
]

/** Our callbacks' retries after a failed delivery, as the page lists them. */
export const retrySchedule = [
  '5 秒',
  '5 分钟',
  '30 分钟',
  '2 小时',
  '5 小时',
  '10 小时',
  '14 小时',
  '20 小时',
  '24 小时',
]

/**
 * A worked signature, so an implementation can be checked byte for byte. The secret is the
 * example of the Standard Webhooks specification, never one in use.
 */
export const signingExample = (() => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
  const webhookId = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W'
  const urged = eventExamples.find((e) => e.type === 'ticket.urged')!.example
  const body = JSON.stringify(urged)
  const timestamp = Math.floor(new Date(urged.occurred_at).getTime() / 1000)
  const headers = signWebhook(parseWebhookSecret(secret), webhookId, timestamp, body)
  return { secret, webhookId, timestamp, body, headers }
})()

/** JSON as the page shows it. */
export const pretty = (value: unknown) => JSON.stringify(value, null, 2)
