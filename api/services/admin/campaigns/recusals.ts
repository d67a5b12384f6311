import type { z } from 'zod'
import {
  deleteRecusal,
  findOperatorScope,
  insertRecusal,
  listRecusals,
} from '../../../../db/queries/campaigns.ts'
import type { ServiceContext } from '../../../deps.ts'
import { ApiError } from '../../../errors.ts'
import { isCityAdmin, type SignedInOperator } from '../access.ts'
import { recordAudit } from '../audit.ts'
import { requireAccess } from '../console-request.ts'
import { recusalMakers } from './access.ts'
import type { RecusalList, recusalSchema } from './schemas.ts'

// 回避: an inspector who has an interest in a business (a relative runs it, a former employer)
// declares it, and is never drawn for it. An operator declares their own; a city administrator
// may record one for anyone (an interest reported to the bureau). Each is audited with its reason.

type RecusalInput = z.infer<typeof recusalSchema>

/** Whose recusal this is: the operator's own unless a city administrator names someone. */
async function subjectOf(ctx: ServiceContext, operator: SignedInOperator, input: RecusalInput) {
  requireAccess(recusalMakers, operator)
  if (input.operatorId === undefined || input.operatorId === operator.id) {
    return { id: operator.id, username: operator.username }
  }
  if (!isCityAdmin(operator)) {
    throw new ApiError('FORBIDDEN', '只能登记或撤回本人的回避；为他人登记请联系市局管理员。')
  }
  const subject = await findOperatorScope(ctx.db, input.operatorId)
  if (!subject) {
    const message = '没有这个人员编号的账号，请核对后重新填写。'
    throw new ApiError('VALIDATION_FAILED', message, [{ field: 'operatorId', message }])
  }
  return { id: subject.id, username: subject.username }
}

export async function recordRecusal({
  ctx,
  operator,
  input,
  clientAddress,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  input: RecusalInput
  clientAddress: string
}): Promise<{ created: boolean }> {
  const subject = await subjectOf(ctx, operator, input)
  return ctx.db.transaction().execute(async (trx) => {
    const created = await insertRecusal(trx, {
      operatorId: subject.id,
      uscc: input.uscc,
      reason: input.reason,
    })
    if (created) {
      await recordAudit(trx, {
        operator,
        action: 'campaign.recusal_recorded',
        enterpriseUscc: input.uscc,
        clientAddress,
        detail: { inspector: subject.username, reason: input.reason },
      })
    }
    return { created }
  })
}

export async function withdrawRecusal({
  ctx,
  operator,
  input,
  clientAddress,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  input: RecusalInput
  clientAddress: string
}): Promise<void> {
  const subject = await subjectOf(ctx, operator, input)
  await ctx.db.transaction().execute(async (trx) => {
    const removed = await deleteRecusal(trx, { operatorId: subject.id, uscc: input.uscc })
    if (!removed) throw new ApiError('NOT_FOUND', '没有这条回避登记，可能已被撤回。')
    await recordAudit(trx, {
      operator,
      action: 'campaign.recusal_withdrawn',
      enterpriseUscc: input.uscc,
      clientAddress,
      detail: { inspector: subject.username, reason: input.reason },
    })
  })
}

/** Recusals in force: one's own, or everyone's for a city administrator. */
export async function listRecusalsFor({
  ctx,
  operator,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
}): Promise<RecusalList> {
  const rows = await listRecusals(ctx.db, isCityAdmin(operator) ? null : operator.id)
  return {
    items: rows.map((r) => ({
      operatorId: r.operatorId,
      username: r.username,
      uscc: r.uscc,
      name: r.name,
      reason: r.reason,
      createdAt: r.createdAt.toISOString(),
    })),
  }
}
