import type { z } from 'zod'
import type { HotlineCallbackType } from '../../../db/database.ts'
import type { hotlineCallbackSchema, hotlineEventSchema, HotlineEventType } from './events.ts'

/**
 * One example of each 12345 event and callback: the OpenAPI document shows them with the events
 * route and the callback webhooks, and the vendor page (/developers/12345) prints them; tests parse
 * every one against the contract's schemas.
 */

type EventInput = z.input<typeof hotlineEventSchema>
type CallbackInput = z.input<typeof hotlineCallbackSchema>

const ticketNo = 'LS12345-20261126-000123'
const ticket = { ticket_no: ticketNo }

/** A dispatched work order with every field filled in. */
export const exampleTicket = {
  ticket_no: ticketNo,
  title: '农贸市场摊位电子秤缺斤短两',
  content:
    '市民来电反映：在莲都区城东农贸市场 12 号摊位买排骨 2 斤，回家复称只有 1 斤 7 两，怀疑电子秤被改动，要求核查。',
  appeal_type: '投诉',
  urgency: 'normal',
  contact_name: '王女士',
  contact_phone: '13800001234',
  area_code: '331102',
  address: '莲都区城东农贸市场 12 号摊位',
  respondent_name: '丽水市莲都区某某肉铺',
  respondent_uscc: '92331102MA2E0000XW',
  assigned_at: '2026-11-26T09:30:00+08:00',
  deadline: '2026-12-03T17:00:00+08:00',
  host_dept: '丽水市莲都区市场监督管理局',
  assist_depts: ['城东街道办事处'],
  attachments: ['https://12345.example.cn/files/20261126/000123-1.jpg'],
} satisfies Extract<EventInput, { type: 'ticket.dispatched' }>['ticket']

/** One example of each of the nine events the hotline sends. */
export const hotlineEventExamples = {
  'ticket.dispatched': {
    type: 'ticket.dispatched',
    occurred_at: '2026-11-26T09:30:00+08:00',
    ticket: exampleTicket,
  },
  'ticket.supplemented': {
    type: 'ticket.supplemented',
    occurred_at: '2026-11-26T14:05:00+08:00',
    ticket,
    detail: {
      content: '诉求人补充：购买时间为当天上午 9 点左右，有微信支付记录。',
      attachments: ['https://12345.example.cn/files/20261126/000123-2.jpg'],
    },
  },
  'ticket.urged': {
    type: 'ticket.urged',
    occurred_at: '2026-11-28T10:00:00+08:00',
    ticket,
    detail: { note: '诉求人来电催问办理进度。' },
  },
  'ticket.supervised': {
    type: 'ticket.supervised',
    occurred_at: '2026-11-30T09:00:00+08:00',
    ticket,
    detail: { note: '热线督办：请于 12 月 2 日前反馈。' },
  },
  'ticket.return_decided': {
    type: 'ticket.return_decided',
    occurred_at: '2026-11-27T16:00:00+08:00',
    ticket,
    detail: { decision: 'rejected', opinion: '属市场监管职责，不予退单。' },
  },
  'ticket.extension_decided': {
    type: 'ticket.extension_decided',
    occurred_at: '2026-12-02T11:00:00+08:00',
    ticket,
    detail: {
      decision: 'approved',
      new_deadline: '2026-12-10T17:00:00+08:00',
      opinion: '同意延期 5 个工作日。',
    },
  },
  'ticket.revisited': {
    type: 'ticket.revisited',
    occurred_at: '2026-12-05T15:30:00+08:00',
    ticket,
    detail: { satisfaction: 'satisfied', note: '诉求人对处理结果表示满意。' },
  },
  'ticket.reopened': {
    type: 'ticket.reopened',
    occurred_at: '2026-12-05T16:00:00+08:00',
    ticket,
    detail: {
      reason: '回访不满意：诉求人表示差价尚未退还。',
      deadline: '2026-12-12T17:00:00+08:00',
    },
  },
  'ticket.closed': {
    type: 'ticket.closed',
    occurred_at: '2026-12-08T10:00:00+08:00',
    ticket,
    detail: { note: '工单已办结归档。' },
  },
} satisfies { [T in HotlineEventType]: Extract<EventInput, { type: T }> }

/** One example of each of the five callbacks we send to the hotline. */
export const hotlineCallbackExamples = {
  'ticket.signed': {
    type: 'ticket.signed',
    occurred_at: '2026-11-26T10:12:00+08:00',
    ticket_no: ticketNo,
    detail: { handler_unit: '莲都区市场监督管理局' },
  },
  'ticket.return_requested': {
    type: 'ticket.return_requested',
    occurred_at: '2026-11-26T11:00:00+08:00',
    ticket_no: ticketNo,
    detail: {
      reason: '所反映的是物业收费问题，不属于计量监督范围。',
      legal_basis: '《中华人民共和国计量法》第二条',
    },
  },
  'ticket.extension_requested': {
    type: 'ticket.extension_requested',
    occurred_at: '2026-12-01T09:00:00+08:00',
    ticket_no: ticketNo,
    detail: { days: 5, reason: '需送计量检定机构检定电子秤，检定周期约 5 个工作日。' },
  },
  'ticket.progress': {
    type: 'ticket.progress',
    occurred_at: '2026-11-27T15:00:00+08:00',
    ticket_no: ticketNo,
    detail: { note: '已到现场检查，电子秤已封存送检。' },
  },
  'ticket.completed': {
    type: 'ticket.completed',
    occurred_at: '2026-12-04T16:30:00+08:00',
    ticket_no: ticketNo,
    detail: {
      is_substantiated: true,
      resolved: true,
      handling_note: '经检定，该电子秤示值偏差超出允许误差，已责令停止使用并立案调查。',
      public_reply: '您反映的问题属实，我局已责令商户停止使用问题电子秤，并协调退还差价。',
      contacted_at: '2026-12-04T15:00:00+08:00',
    },
  },
} satisfies { [T in HotlineCallbackType]: Extract<CallbackInput, { type: T }> }
