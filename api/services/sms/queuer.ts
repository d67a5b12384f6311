import { z } from 'zod'
import type { Kysely } from 'kysely'
import type { Database, OutboxRow } from '../../../db/database.ts'
import { insertSmsMessage, smsRecipientOf } from '../../../db/queries/sms.ts'
import type { Config } from '../../config.ts'
import { smsEvents } from '../../domain/sms.ts'
import { newWebhookId } from '../../hotline/signature.ts'
import type { Logger } from '../../logger.ts'
import { renderSms, type SmsTemplates } from './templates.ts'

const requestSchema = z.object({
  complaintId: z.string().regex(/^\d{1,19}$/),
  event: z.enum(smsEvents),
})

/** The tracking page with the number filled in: the resident types only their query code. */
export const trackingLink = (siteUrl: string, trackingNo: string) =>
  `${siteUrl.replace(/\/$/, '')}/complaints/track?no=${encodeURIComponent(trackingNo)}`

/**
 * The outbox handler of `sms.resident`: a message is queued for a case whose resident asked for
 * them and left a mobile number, in the bureau's words (content/sms/templates.yaml). Unique per
 * case and event, so handling a batch again after a crash queues nothing twice. Logs name the
 * case and the event only.
 */
export function residentSmsQueuer(deps: {
  db: Kysely<Database>
  config: Pick<Config, 'SITE_URL'>
  logger: Logger
  smsTemplates: SmsTemplates
}) {
  return async (rows: OutboxRow[]) => {
    for (const row of rows) {
      const parsed = requestSchema.safeParse(row.payload)
      if (!parsed.success) {
        deps.logger.error(
          { outboxId: row.id, aggregateKey: row.aggregateKey },
          'SMS not queued: the request does not match its contract',
        )
        continue
      }
      const { complaintId, event } = parsed.data
      const recipient = await smsRecipientOf(deps.db, complaintId)
      if (!recipient?.smsUpdates || !recipient.hasPhone) continue
      const message = renderSms(deps.smsTemplates, event, {
        trackingNo: recipient.trackingNo,
        link: trackingLink(deps.config.SITE_URL, recipient.trackingNo),
      })
      const added = await insertSmsMessage(deps.db, {
        complaintId,
        messageKey: `complaint:${complaintId}:${event}`,
        event,
        inOrderOf: `complaint:${complaintId}`,
        priority: 'normal',
        ...message,
        messageId: newWebhookId(),
      })
      if (added) deps.logger.info({ complaintId, event }, 'SMS queued')
    }
  }
}
