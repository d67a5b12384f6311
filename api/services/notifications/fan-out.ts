import type { Kysely } from 'kysely'
import type { Database, OutboxRow } from '../../../db/database.ts'
import { insertDeliveriesForNotice } from '../../../db/queries/notifications.ts'
import { newWebhookId } from '../../hotline/signature.ts'
import type { Logger } from '../../logger.ts'
import { storedNoticeSchema } from './message.ts'

/**
 * The outbox handler of `notify.notice`: each notice becomes one queued delivery per enabled
 * recipient of its county and of the city, all in one transaction. Handling a batch again (the
 * worker died before marking it done) adds nothing: deliveries are unique on (notice, recipient).
 * A notice that does not parse cannot be sent to anyone; it is logged (its key only) and left.
 */
export function noticeFanOut(db: Kysely<Database>, logger: Logger) {
  return async (rows: OutboxRow[]) => {
    await db.transaction().execute(async (trx) => {
      for (const row of rows) {
        const parsed = storedNoticeSchema.safeParse(row.payload)
        if (!parsed.success) {
          logger.error(
            {
              outboxId: row.id,
              aggregateKey: row.aggregateKey,
              issues: parsed.error.issues.length,
            },
            'notice not delivered: it does not match the notice contract',
          )
          continue
        }
        const notice = parsed.data
        const added = await insertDeliveriesForNotice(
          trx,
          { key: notice.key, countyCode: notice.countyCode, payload: notice },
          newWebhookId,
        )
        logger.info(
          { noticeKey: notice.key, countyCode: notice.countyCode, deliveries: added },
          'notice queued for its recipients',
        )
      }
    })
  }
}
