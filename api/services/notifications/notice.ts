import type { Transaction } from 'kysely'
import type { Database } from '../../../db/database.ts'
import { enqueue } from '../../../db/queries/outbox.ts'

/** The outbox topic of a notice to handlers: its handler fans it out to each recipient. */
export const handlerNoticeTopic = 'notify.notice'

/**
 * A message to the bureau's handlers (issue 24). It names a subject and counts, never a resident:
 * the same text goes by e-mail and to the county's chat robot, and `data` is the webhook's
 * machine-readable part.
 */
export interface HandlerNotice {
  /** The county whose recipients are told; null for the city level only. */
  countyCode: string | null
  /** Standard Webhooks event type, e.g. `warning.opened`. */
  type: string
  /** One line: the e-mail subject and the chat message's title. */
  title: string
  /** Plain text, a few lines: what happened, the counts, where to look in the console. */
  text: string
  /** The webhook body's `data`. */
  data: Record<string, unknown>
  /** Unique per notice: a notice enqueued twice with one key is delivered once per recipient. */
  key: string
}

/** Enqueues a notice inside the caller's transaction: it is sent exactly when the change commits. */
export async function enqueueNotice(trx: Transaction<Database>, notice: HandlerNotice) {
  await enqueue(trx, [
    { topic: handlerNoticeTopic, aggregateKey: `notice:${notice.key}`, payload: notice },
  ])
}
