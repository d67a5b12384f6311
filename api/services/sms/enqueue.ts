import type { Transaction } from 'kysely'
import type { Database } from '../../../db/database.ts'
import { enqueue } from '../../../db/queries/outbox.ts'
import type { SmsEvent } from '../../domain/sms.ts'

/** The outbox topic of a message to a resident: its handler (queuer.ts) queues the SMS. */
export const residentSmsTopic = 'sms.resident'

export interface ResidentSmsRequest {
  complaintId: string
  event: SmsEvent
}

/**
 * Asks, inside the caller's transaction, that the resident of a case be told of `event`: it is
 * sent exactly when the change commits, if they asked for messages and left a mobile number.
 */
export async function enqueueResidentSms(trx: Transaction<Database>, request: ResidentSmsRequest) {
  await enqueue(trx, [
    {
      topic: residentSmsTopic,
      aggregateKey: `sms:complaint:${request.complaintId}`,
      payload: request,
    },
  ])
}
