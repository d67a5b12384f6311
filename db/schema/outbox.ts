import type { ColumnType, Generated, Selectable } from 'kysely'
import type { DefaultTimestamp, Timestamp } from './columns.ts'

// A handled message is deleted (db/queries/outbox.ts markDone); a dead one stays, with its error.
type OutboxState = 'pending' | 'dead'

/** Transactional outbox: every write that must reach another system leaves a row here. */
export interface OutboxTable {
  id: Generated<string>
  topic: string
  /** Rows with one key are handed out in id order, one at a time. */
  aggregateKey: string
  payload: ColumnType<unknown, string, string>
  state: Generated<OutboxState>
  attempts: Generated<number>
  maxAttempts: Generated<number>
  availableAt: DefaultTimestamp
  lastError: string | null
  createdAt: DefaultTimestamp
  processedAt: Timestamp | null
}

export type OutboxRow = Selectable<OutboxTable>
