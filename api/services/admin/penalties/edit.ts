import { enqueueCreditRecompute } from '../../../../db/queries/credit-record.ts'
import {
  findPenalty,
  lockPenalty,
  updatePenaltyAtVersion,
} from '../../../../db/queries/penalties.ts'
import type { ServiceContext } from '../../../deps.ts'
import { ApiError } from '../../../errors.ts'
import { beijingDate } from '../../../domain/beijing-time.ts'
import { parsePenaltyPublication, publicationEnd } from '../../../domain/penalty-publication.ts'
import type { SignedInOperator } from '../access.ts'
import { recordAudit } from '../audit.ts'
import { assertPenaltyVisible } from './access.ts'
import { checkDecidedOn, checkDecisionNoFree, isDecisionNoTaken, linkedCaseId } from './checks.ts'
import type { PenaltyEdit, PenaltyView } from './schemas.ts'
import { toPenaltyView } from './view.ts'

export const stalePenaltyMessage =
  '这条行政处罚记录在您打开页面后已被他人修改，本次修改没有保存。请查看最新内容后重新修改。'

const edited = ['decisionNo', 'decidedOn', 'kind', 'violation', 'penalty', 'legalBasis'] as const

/**
 * Edits a 行政处罚 with a reason (POST /api/admin/penalties/:id/edit). The version read must
 * still be current: two handlers editing one penalty get one success and one 409. The period is
 * reckoned again from the (new) decision date and kind; a penalty whose new period has not run
 * out is public again. In one transaction with the grade's recompute and the audit entry.
 */
export async function editPenalty({
  ctx,
  operator,
  input,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  input: { id: string; edit: PenaltyEdit; clientAddress: string }
}): Promise<PenaltyView> {
  const { edit } = input
  const today = beijingDate()
  checkDecidedOn(edit.decidedOn, today)
  const complaintId = await linkedCaseId(ctx.db, operator, edit.caseTrackingNo)
  const publishUntil = publicationEnd(
    parsePenaltyPublication(ctx.config.CREDIT_PENALTY_PUBLICATION),
    edit.kind,
    edit.decidedOn,
  )
  try {
    await ctx.db.transaction().execute(async (trx) => {
      const row = await lockPenalty(trx, input.id)
      assertPenaltyVisible(operator, row)
      if (row.version !== edit.version) {
        throw new ApiError('CONFLICT', stalePenaltyMessage, { reason: 'stale_version' })
      }
      await checkDecisionNoFree(trx, edit.decisionNo, row.id)
      const at = new Date()
      const takenDownAt = publishUntil < today ? (row.takenDownAt ?? at) : null
      const changed = await updatePenaltyAtVersion(trx, row.id, edit.version, {
        decisionNo: edit.decisionNo,
        decidedOn: edit.decidedOn,
        kind: edit.kind,
        violation: edit.violation,
        penalty: edit.penalty,
        legalBasis: edit.legalBasis,
        complaintId,
        publishUntil,
        takenDownAt,
      })
      if (!changed) throw new ApiError('CONFLICT', stalePenaltyMessage, { reason: 'stale_version' })
      await enqueueCreditRecompute(trx, [row.uscc], `penalty:${row.id}`)
      await recordAudit(trx, {
        operator,
        action: 'penalty.edited',
        enterpriseUscc: row.uscc,
        clientAddress: input.clientAddress,
        detail: {
          penaltyId: row.id,
          reason: edit.reason,
          fields: [
            ...edited.filter((f) => row[f] !== edit[f]),
            ...(row.complaintId === complaintId ? [] : ['caseTrackingNo']),
          ],
          publishUntil,
          version: edit.version + 1,
          ...(row.takenDownAt && !takenDownAt ? { republished: true } : {}),
          ...(!row.takenDownAt && takenDownAt ? { takenDown: true } : {}),
        },
      })
    })
  } catch (error) {
    if (isDecisionNoTaken(error)) await checkDecisionNoFree(ctx.db, edit.decisionNo, input.id)
    throw error
  }
  const row = await findPenalty(ctx.db, input.id)
  if (!row) throw new Error(`penalty ${input.id} vanished after an edit`)
  return toPenaltyView(row, ctx.calendar)
}
