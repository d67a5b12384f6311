import type { Transaction } from 'kysely'
import type { Database, HotlineCallbackType } from '../../../../db/database.ts'
import { insertCallback } from '../../../../db/queries/hotline-callbacks.ts'
import { beijingIso } from '../../../domain/beijing-time.ts'
import { publicFindings } from '../../../domain/credit.ts'
import type { HotlineAction } from './machine.ts'
import type { CaseActionInput } from './schemas.ts'
import { hotlineCallbackSchema, type HotlineCallback } from '../../hotline/events.ts'
import { newWebhookId } from '../../../hotline/signature.ts'

/** The callback each console action sends (DESIGN.md section 5). */
const callbackTypeOf: Record<HotlineAction, HotlineCallbackType> = {
  sign: 'ticket.signed',
  request_return: 'ticket.return_requested',
  request_extension: 'ticket.extension_requested',
  report_progress: 'ticket.progress',
  report_completion: 'ticket.completed',
}

/** The unit that signs for the work order: the county bureau the case lies with. */
const handlerUnitOf = (countyName: string) => `${countyName}市场监督管理局`

function detailOf(action: HotlineAction, input: CaseActionInput, countyName: string) {
  switch (action) {
    case 'sign':
      return { handler_unit: handlerUnitOf(countyName) }
    case 'request_return':
      return { reason: input.returnReason!, legal_basis: input.legalBasis! }
    case 'request_extension':
      return { days: input.days!, reason: input.extensionReason! }
    case 'report_progress':
      return { note: input.note! }
    case 'report_completion':
      return {
        is_substantiated: publicFindings.includes(input.finding!),
        resolved: input.resolved!,
        handling_note: input.handlingResult!,
        public_reply: input.publicReply!,
        contacted_at: beijingIso(input.contactedAt!),
      }
  }
}

/** The payload of the callback an action sends, checked against the contract's schema. */
export function callbackPayload(
  action: HotlineAction,
  input: CaseActionInput,
  facts: { ticketNo: string; countyName: string; at: Date },
): HotlineCallback {
  return hotlineCallbackSchema.parse({
    type: callbackTypeOf[action],
    occurred_at: beijingIso(facts.at),
    ticket_no: facts.ticketNo,
    detail: detailOf(action, input, facts.countyName),
  })
}

/**
 * Queues the callback of a console action in the action's own transaction, so the hotline hears
 * of exactly the actions that happened. It is due at once; delivery.ts sends it.
 */
export async function queueCallback(
  trx: Transaction<Database>,
  callback: {
    payload: HotlineCallback
    complaintId: string
    operatorId: string
    at: Date
  },
): Promise<{ id: string; webhookId: string }> {
  const webhookId = newWebhookId()
  const id = await insertCallback(trx, {
    webhookId,
    ticketNo: callback.payload.ticket_no,
    complaintId: callback.complaintId,
    eventType: callback.payload.type,
    payload: callback.payload,
    nextAttemptAt: callback.at,
    operatorId: callback.operatorId,
  })
  return { id, webhookId }
}
