import { randomInt } from 'node:crypto'
import type { z } from 'zod'
import { beijingIso } from '../../api/domain/beijing-time.ts'
import { countyNames, type CountyCode } from '../../api/domain/counties.ts'
import {
  hotlineEventLabels,
  type hotlineEventSchema,
  type HotlineEventType,
} from '../../api/services/hotline/events.ts'
import { newWebhookId } from '../../api/hotline/signature.ts'

/** An event as the hotline writes it (before our schema's defaults and trimming). */
export type HotlineEventInput = z.input<typeof hotlineEventSchema>

/** The county a ticket is for (one of the nine codes). */
export type HotlineCounty = CountyCode

export interface TicketOptions {
  ticketNo: string
  county: HotlineCounty
  /** The simulated present: events occur shortly before it. */
  now: Date
}

/** What the simulator expects the instance to answer (DESIGN.md section 5). */
export type Expectation =
  | { kind: 'accepted' }
  /** The same `webhook-id` again: the same status and body as the first time. */
  | { kind: 'duplicate'; of: number }
  | { kind: 'unauthorized' }
  | { kind: 'invalid' }

export interface SimulatedStep {
  /** One line for the vendor's engineer, in Chinese. */
  label: string
  webhookId: string
  /** The raw body, signed as is. */
  body: string
  /** The event sent; the malformed step's is deliberately not a valid one. */
  event: unknown
  /** Sign with a secret the instance does not know. */
  wrongSecret?: boolean
  expect: Expectation
}

/** The short names `--only` accepts, and the event each one sends. */
export const singleEventNames = {
  dispatch: 'ticket.dispatched',
  supplement: 'ticket.supplemented',
  urge: 'ticket.urged',
  supervise: 'ticket.supervised',
  return: 'ticket.return_decided',
  extension: 'ticket.extension_decided',
  revisit: 'ticket.revisited',
  reopen: 'ticket.reopened',
  close: 'ticket.closed',
} as const satisfies Record<string, HotlineEventType>

export type SingleEventName = keyof typeof singleEventNames

/** A new ticket number in the hotline's style, e.g. LS12345-20261126-004217. */
export function newTicketNo(now: Date): string {
  const day = beijingIso(now).slice(0, 10).replaceAll('-', '')
  return `LS12345-${day}-${String(randomInt(1_000_000)).padStart(6, '0')}`
}

const minutes = (at: Date, n: number) => new Date(at.getTime() + n * 60_000)

/** The dispatched ticket: a short-weight complaint at a market stall of the county. */
function sampleTicket(options: TicketOptions) {
  const { ticketNo, county, now } = options
  const place = `${countyNames[county] ?? ''}城东农贸市场`
  return {
    ticket_no: ticketNo,
    title: '农贸市场摊位电子秤缺斤短两',
    content: `市民来电反映：在${place} 12 号摊位买排骨 2 斤，回家用自家秤复称只有 1 斤 7 两，怀疑摊位电子秤被改动，要求核查并退还差价。`,
    appeal_type: '投诉' as const,
    urgency: 'normal' as const,
    contact_name: '王女士',
    contact_phone: '13800001234',
    area_code: county,
    address: `${place} 12 号摊位`,
    respondent_name: '12 号摊位（经营者姓名不详）',
    assigned_at: beijingIso(minutes(now, -60)),
    deadline: beijingIso(minutes(now, 5 * 24 * 60)),
    host_dept: `丽水市${countyNames[county] ?? ''}市场监督管理局`,
    assist_depts: [],
    attachments: [],
  }
}

/** One event of `type` for the ticket, with typical details, occurring at `at`. */
export function sampleEvent(
  type: HotlineEventType,
  options: TicketOptions & { at?: Date },
): HotlineEventInput {
  const { ticketNo, now } = options
  const occurred_at = beijingIso(options.at ?? now)
  const ticket = { ticket_no: ticketNo }
  switch (type) {
    case 'ticket.dispatched':
      return { type, occurred_at, ticket: sampleTicket(options) }
    case 'ticket.supplemented':
      return {
        type,
        occurred_at,
        ticket,
        detail: { content: '诉求人补充：购买时间为当天上午 9 点左右，有微信支付记录。' },
      }
    case 'ticket.urged':
      return { type, occurred_at, ticket, detail: { note: '诉求人来电催问办理进度。' } }
    case 'ticket.supervised':
      return { type, occurred_at, ticket, detail: { note: '热线督办：请加快办理。' } }
    case 'ticket.return_decided':
      return {
        type,
        occurred_at,
        ticket,
        detail: { decision: 'rejected', opinion: '属贵单位职责，不予退单。' },
      }
    case 'ticket.extension_decided':
      return {
        type,
        occurred_at,
        ticket,
        detail: {
          decision: 'approved',
          new_deadline: beijingIso(minutes(now, 10 * 24 * 60)),
          opinion: '同意延期 5 天。',
        },
      }
    case 'ticket.revisited':
      return {
        type,
        occurred_at,
        ticket,
        detail: { satisfaction: 'satisfied', note: '诉求人对处理结果满意。' },
      }
    case 'ticket.reopened':
      return {
        type,
        occurred_at,
        ticket,
        detail: {
          reason: '回访不满意：诉求人表示差价尚未退还。',
          deadline: beijingIso(minutes(now, 3 * 24 * 60)),
        },
      }
    case 'ticket.closed':
      return { type, occurred_at, ticket, detail: { note: '工单已办结归档。' } }
  }
}

function step(event: unknown, label: string, expect: Expectation = { kind: 'accepted' }) {
  return { label, webhookId: newWebhookId(), body: JSON.stringify(event), event, expect }
}

const labelOf = (type: HotlineEventType) => `${type} ${hotlineEventLabels[type]}`

/**
 * The full demonstration, in the order the instance receives it: a supplement that overtakes its
 * dispatch (held until the dispatch arrives), the dispatch, a retried dispatch and a retried urge
 * (answered as the first time), an urge, a dissatisfied revisit, a reopening, a satisfied
 * revisit and the closing; then a wrong signature (401) and a body the schema refuses (400).
 */
export function demoSequence(options: TicketOptions): SimulatedStep[] {
  const { now } = options
  const at = (n: number) => ({ ...options, at: minutes(now, n) })
  const dispatch = step(sampleEvent('ticket.dispatched', at(-30)), labelOf('ticket.dispatched'))
  const supplement = step(
    sampleEvent('ticket.supplemented', at(-20)),
    `${labelOf('ticket.supplemented')}（先于派单到达：应暂存，派单到达后再处理）`,
  )
  const urge = step(sampleEvent('ticket.urged', at(-10)), labelOf('ticket.urged'))
  const dissatisfied = sampleEvent('ticket.revisited', at(-6))
  const revisitBad = step(
    {
      ...dissatisfied,
      detail: { satisfaction: 'dissatisfied', note: '诉求人表示差价尚未退还。' },
    },
    `${labelOf('ticket.revisited')}（不满意）`,
  )
  const reopen = step(sampleEvent('ticket.reopened', at(-5)), labelOf('ticket.reopened'))
  const revisitGood = step(
    sampleEvent('ticket.revisited', at(-2)),
    `${labelOf('ticket.revisited')}（满意）`,
  )
  const close = step(sampleEvent('ticket.closed', at(-1)), labelOf('ticket.closed'))
  const forged = {
    ...step(
      sampleEvent('ticket.urged', at(0)),
      `${labelOf('ticket.urged')}（用错误的密钥签名：应答 401，不保存）`,
      { kind: 'unauthorized' },
    ),
    wrongSecret: true,
  }
  const broken = {
    type: 'ticket.urged',
    occurred_at: '昨天',
    ticket: { ticket_no: options.ticketNo },
  }
  const invalid = step(broken, 'ticket.urged 催办（occurred_at 格式错误：应答 400 并指出字段）', {
    kind: 'invalid',
  })
  return [
    supplement,
    dispatch,
    {
      ...dispatch,
      label: `${labelOf('ticket.dispatched')}（重复投递，同一 webhook-id）`,
      expect: { kind: 'duplicate', of: 1 },
    },
    urge,
    {
      ...urge,
      label: `${labelOf('ticket.urged')}（重复投递，同一 webhook-id）`,
      expect: { kind: 'duplicate', of: 3 },
    },
    revisitBad,
    reopen,
    revisitGood,
    close,
    forged,
    invalid,
  ]
}

/** Just one event, e.g. `--only dispatch` to create a case at once. */
export function singleEventSequence(
  name: SingleEventName,
  options: TicketOptions,
): SimulatedStep[] {
  const type = singleEventNames[name]
  return [step(sampleEvent(type, options), labelOf(type))]
}
