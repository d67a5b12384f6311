import { z } from '@hono/zod-openapi'
import {
  callbackState,
  listDeadCallbacks,
  reviveDeadCallback,
} from '../../../../db/queries/hotline-callbacks.ts'
import type { ServiceContext } from '../../../deps.ts'
import { ApiError } from '../../../errors.ts'
import type { SignedInOperator } from '../access.ts'
import { recordAudit } from '../audit.ts'
import { callbackView } from '../cases/get.ts'
import { hotlineCallbackViewSchema } from '../cases/schemas.ts'
import { requireHotlineAdmin } from './admin-access.ts'

/** How many dead callbacks the page lists: more than a handful means the receiver is down. */
const listLimit = 200

export const deadCallbackSchema = hotlineCallbackViewSchema
  .extend({
    ticketNo: z.string(),
    complaintId: z.string(),
    trackingNo: z.string(),
  })
  .openapi('DeadHotlineCallback')

export type DeadCallback = z.infer<typeof deadCallbackSchema>

/** Callbacks that used up their tries, the latest first (city_admin only; audited). */
export async function listDead({
  ctx,
  operator,
  input,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  input: { clientAddress: string }
}): Promise<DeadCallback[]> {
  requireHotlineAdmin(operator)
  const rows = await listDeadCallbacks(ctx.db, listLimit)
  await recordAudit(ctx.db, {
    operator,
    action: 'hotline.callbacks_viewed',
    clientAddress: input.clientAddress,
    detail: { count: rows.length },
  })
  return rows.map((r) => ({
    ...callbackView(r),
    ticketNo: r.ticketNo,
    complaintId: r.complaintId,
    trackingNo: r.trackingNo,
  }))
}

/**
 * Puts a dead callback back in the queue with a fresh schedule: due at once, its ten tries
 * counted again, the same webhook-id. The ones of its ticket waiting behind it follow once it is
 * delivered. The retry and the audit entry are written together.
 */
export const callbackNotFoundMessage = '没有找到这条回调。'

export async function retryDeadCallback({
  ctx,
  operator,
  input,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  input: { id: string; clientAddress: string; now?: Date }
}) {
  requireHotlineAdmin(operator)
  if (!/^[1-9]\d{0,17}$/.test(input.id)) throw new ApiError('NOT_FOUND', callbackNotFoundMessage)
  return ctx.db.transaction().execute(async (trx) => {
    const revived = await reviveDeadCallback(trx, input.id, input.now ?? new Date())
    if (!revived) {
      const exists = await callbackState(trx, input.id)
      if (!exists) throw new ApiError('NOT_FOUND', callbackNotFoundMessage)
      throw new ApiError(
        'CONFLICT',
        exists.state === 'delivered'
          ? '这条回调已经送达，不需要重试。'
          : '这条回调正在等待发送，不需要重试。',
        { state: exists.state },
      )
    }
    await recordAudit(trx, {
      operator,
      action: 'hotline.callback_retried',
      complaintId: revived.complaintId,
      clientAddress: input.clientAddress,
      detail: {
        callbackId: revived.id,
        webhookId: revived.webhookId,
        ticketNo: revived.ticketNo,
        type: revived.eventType,
      },
    })
    return { id: revived.id, state: 'pending' as const }
  })
}
