import { stalledInboxEvents } from '../../../../db/queries/hotline-inbox.ts'
import type { ServiceContext } from '../../../deps.ts'
import type { SignedInOperator } from '../access.ts'
import { requireHotlineAdmin } from './admin-access.ts'
import {
  hotlineEventLabels,
  hotlineEventTypes,
  type HotlineEventType,
} from '../../hotline/events.ts'

/** An event held this long is shown: its ticket's dispatch should have come long before. */
const heldTooLongMs = 60 * 60_000

export interface StalledEvent {
  webhookId: string
  ticketNo: string | null
  typeName: string
  occurredAt: string | null
  receivedAt: string
  /** 等待派单 (held) or 处理出错 (pending after a failed attempt). */
  stateName: string
  attempts: number
  lastError: string | null
  nextAttemptAt: string | null
}

const isEventType = (t: string | null): t is HotlineEventType =>
  t !== null && (hotlineEventTypes as readonly string[]).includes(t)

/**
 * Inbound events that have not become part of a case and may never without someone looking:
 * held for over an hour (their ticket's dispatch never came) or failing to apply (retried with
 * backoff). Nothing is lost either way (they stay in the inbox); this is how a city_admin finds
 * out. Only metadata is shown: the bodies stay sealed.
 */
export async function listStalled({
  ctx,
  operator,
  now = new Date(),
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  now?: Date
}): Promise<StalledEvent[]> {
  requireHotlineAdmin(operator)
  const rows = await stalledInboxEvents(ctx.db, now, heldTooLongMs)
  return rows.map((row) => ({
    webhookId: row.webhookId,
    ticketNo: row.ticketNo,
    typeName: isEventType(row.eventType) ? hotlineEventLabels[row.eventType] : '未知事件',
    occurredAt: row.occurredAt?.toISOString() ?? null,
    receivedAt: row.receivedAt.toISOString(),
    stateName: row.state === 'held' ? '等待派单' : '处理出错，自动重试中',
    attempts: row.attempts,
    lastError: row.lastError,
    nextAttemptAt: row.state === 'pending' ? row.availableAt.toISOString() : null,
  }))
}
