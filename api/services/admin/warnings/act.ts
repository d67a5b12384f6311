import { lockWarning, updateWarningAtVersion } from '../../../../db/queries/warnings-console.ts'
import type { ServiceContext } from '../../../deps.ts'
import { ApiError } from '../../../errors.ts'
import type { WarningState } from '../../../domain/warnings.ts'
import type { SignedInOperator } from '../access.ts'
import { recordAudit } from '../audit.ts'
import { assertWarningVisible, cityWideRefusal, mayActOnWarning } from './access.ts'
import { getWarning } from './read.ts'
import type { WarningActionInput, WarningDetail } from './schemas.ts'

const staleWarningMessage =
  '这条预警在您打开页面后已被他人办理，本次操作没有保存。请查看最新状态后再操作。'

/** From which states each action may be taken: handled and dismissed are final. */
const allowedFrom: Record<WarningActionInput['action'], readonly WarningState[]> = {
  acknowledge: ['open'],
  handle: ['open', 'acknowledged'],
  dismiss: ['open', 'acknowledged'],
}

const stateMessages: Record<WarningState, string> = {
  open: '这条预警尚未确认。',
  acknowledged: '这条预警已经确认过了，可以直接处置或排除。',
  handled: '这条预警已处置完毕，不能再更改。',
  dismissed: '这条预警已排除，不能再更改。',
}

/**
 * 确认, 处置 or 排除 a warning (POST /api/admin/warnings/:id/actions and the warning's page):
 * open → acknowledged → handled | dismissed, or open → handled | dismissed at once; a closed
 * warning is final. The version read must still be current (two handlers acting at once get one
 * success and one 409). In one transaction with its audit entry.
 */
export async function actOnWarning({
  ctx,
  operator,
  input,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  input: { id: string; act: WarningActionInput; clientAddress: string }
}): Promise<WarningDetail> {
  const { act } = input
  await ctx.db.transaction().execute(async (trx) => {
    const row = await lockWarning(trx, input.id)
    assertWarningVisible(operator, row)
    if (!mayActOnWarning(operator, row.countyCode)) throw new ApiError('FORBIDDEN', cityWideRefusal)
    if (row.version !== act.version) {
      throw new ApiError('CONFLICT', staleWarningMessage, { reason: 'stale_version' })
    }
    if (!allowedFrom[act.action].includes(row.state)) {
      throw new ApiError('CONFLICT', stateMessages[row.state], {
        reason: 'state',
        state: row.state,
      })
    }
    const at = new Date()
    const changes =
      act.action === 'acknowledge'
        ? { state: 'acknowledged' as const, acknowledgedAt: at, acknowledgedBy: operator.id }
        : act.action === 'handle'
          ? {
              state: 'handled' as const,
              closedAt: at,
              closedBy: operator.id,
              action: act.handling,
              closingNote: act.note ?? null,
            }
          : {
              state: 'dismissed' as const,
              closedAt: at,
              closedBy: operator.id,
              closingNote: act.reason,
            }
    const changed = await updateWarningAtVersion(trx, row.id, act.version, changes)
    if (!changed) throw new ApiError('CONFLICT', staleWarningMessage, { reason: 'stale_version' })
    await recordAudit(trx, {
      operator,
      action: `warning.${act.action}`,
      clientAddress: input.clientAddress,
      detail: {
        warningId: row.id,
        from: row.state,
        to: changes.state,
        version: act.version + 1,
        ...(act.action === 'handle' ? { handling: act.handling } : {}),
      },
    })
  })
  return getWarning({ ctx, operator, input: { id: input.id } })
}
