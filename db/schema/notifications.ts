import type { ColumnType, Generated } from 'kysely'
import type { DefaultTimestamp } from './columns.ts'
import type {
  NotificationDeliveryState,
  NotificationTransport,
} from '../../api/domain/notifications.ts'

/** A recipient of handler notices (migration 2026-12-07T0910): an e-mail address or a webhook. */
export interface NotificationEndpointTable {
  id: Generated<string>
  /** The county whose notices it receives; null: 全市, every county's. */
  countyCode: string | null
  kind: NotificationTransport
  /** An e-mail address, or the webhook's URL. */
  address: string
  /** What the console calls it (科室, 值班群). */
  label: string
  enabled: Generated<boolean>
  createdBy: string | null
  createdAt: DefaultTimestamp
  updatedAt: DefaultTimestamp
}

/** One notice to one recipient: a queue row, kept after delivery. */
export interface NotificationDeliveryTable {
  id: Generated<string>
  noticeKey: string
  endpointId: string
  transport: NotificationTransport
  webhookId: string
  notice: ColumnType<unknown, string, string>
  state: Generated<NotificationDeliveryState>
  attempts: Generated<number>
  nextAttemptAt: Generated<Date>
  lastAttemptAt: Date | null
  lastStatus: number | null
  lastError: string | null
  deliveredAt: Date | null
  createdAt: Generated<Date>
}
