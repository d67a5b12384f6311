import { randomBytes } from 'node:crypto'
import { Webhook } from 'standardwebhooks'
import type { HotlineEvent } from '../../api/services/hotline/events.ts'
import { newWebhookId } from '../../api/hotline/signature.ts'

/** Events of the 12345 contract as the hotline would send them, for the inbound tests. */

export const eventsPath = '/api/hotline/12345/events'

export const newTicketNo = () => `LS12345-20261126-${randomBytes(4).toString('hex')}`

/** A dispatched ticket; the fields a test names replace the defaults. */
export function dispatched(
  ticketNo: string,
  overrides: Record<string, unknown> = {},
  occurredAt = '2026-11-26T09:30:00+08:00',
) {
  return {
    type: 'ticket.dispatched',
    occurred_at: occurredAt,
    ticket: {
      ticket_no: ticketNo,
      title: '菜场短斤缺两',
      content: '在万象菜场买了两斤虾，回家称只有一斤六两。',
      appeal_type: '投诉',
      urgency: 'normal',
      contact_name: '李小梅',
      contact_phone: '13800138000',
      area_code: '331102',
      address: '莲都区万象菜场 12 号摊位',
      respondent_name: '万象菜场水产摊',
      assigned_at: '2026-11-26T09:30:00+08:00',
      deadline: '2026-12-10T17:00:00+08:00',
      host_dept: '丽水市市场监督管理局',
      assist_depts: [],
      attachments: [],
      ...overrides,
    },
  }
}

/** A later event of the ticket: `ticket.urged`, `ticket.closed`, … with its detail. */
export function later(
  type: Exclude<HotlineEvent['type'], 'ticket.dispatched'>,
  ticketNo: string,
  occurredAt: string,
  detail: Record<string, unknown> = {},
) {
  return { type, occurred_at: occurredAt, ticket: { ticket_no: ticketNo }, detail }
}

/** Headers signed by the official `standardwebhooks` package. */
export function officialHeaders(
  secret: string,
  body: string,
  options: { id?: string; at?: Date } = {},
): Record<string, string> {
  const id = options.id ?? newWebhookId()
  const when = options.at ?? new Date()
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(when.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, when, body),
  }
}

export interface Postable {
  request: (path: string, init: RequestInit) => Response | Promise<Response>
}

/** Posts `event` signed with `secret`; returns the answer and the id used. */
export async function postEvent(
  app: Postable,
  secret: string,
  event: unknown,
  options: { id?: string; at?: Date } = {},
) {
  const body = JSON.stringify(event)
  const headers = officialHeaders(secret, body, options)
  const res = await app.request(eventsPath, { method: 'POST', headers, body })
  return { res, id: headers['webhook-id']!, body }
}
