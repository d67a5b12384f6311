import { addCaseEvents, findCase, updateCaseAtVersion } from '../../../../db/queries/cases.ts'
import { ticketOfCase } from '../../../../db/queries/hotline-callbacks.ts'
import { lockTicket } from '../../../../db/queries/hotline-inbox.ts'
import { lockCasesForMerge, markMerged } from '../../../../db/queries/merged-cases.ts'
import { enqueue } from '../../../../db/queries/outbox.ts'
import type { ServiceContext } from '../../../deps.ts'
import { maskPersonalNumbers } from '../../../domain/masks.ts'
import { ApiError } from '../../../errors.ts'
import { complaintChangedTopic, complaintKey } from '../../../search/complaint-indexer.ts'
import type { SignedInOperator } from '../access.ts'
import { recordAudit } from '../audit.ts'
import { staleVersionMessage } from './act.ts'
import { mergeRefusal } from './duplicates.ts'
import { caseDetail } from './get.ts'
import { forgetStatusCounts } from './list.ts'
import type { CaseDetail, CaseMergeInput } from './schemas.ts'
import { assertCaseVisible, checkedId } from './scope.ts'

/** What the resident of a merged case reads on their tracking page. */
const mergedPublicNote =
  '您反映的问题与同一单位的其他投诉举报合并办理。办理进展和结果会在本页显示；您的受理编号和查询码不变。'

/**
 * 合并办理 (issue 25, item 4; POST /api/admin/cases/:id/merge): a likely duplicate is merged into
 * the case the handler has open, in one transaction. Both cases must be in the operator's scope
 * (another county's case answers as an unknown one), the case must still be at the version the
 * handler read, and mergeRefusal must find nothing against it. The duplicate becomes `merged`
 * (已合并办理) and leaves the queue; cases merged into it before follow it. Its resident keeps their
 * tracking number and query code, and their tracking page and messages follow this case from now
 * on. Timeline entries on both, an audit entry on each, and the private index told.
 */
export async function mergeCase({
  ctx,
  operator,
  input,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  input: { id: string } & CaseMergeInput & { clientAddress: string }
}): Promise<CaseDetail> {
  const id = checkedId(input.id)
  const duplicateId = checkedId(input.duplicateId)
  if (id === duplicateId) {
    const message = '不能把案件并入它自己，请从“可能重复的案件”中选择。'
    throw new ApiError('VALIDATION_FAILED', message, [{ field: 'duplicateId', message }])
  }
  await ctx.db.transaction().execute(async (trx) => {
    // A 12345 case's ticket lock first, in the order every writer of it takes (act.ts).
    const ticket = await ticketOfCase(trx, id)
    if (ticket) await lockTicket(trx, ticket.ticketNo)
    const rows = await lockCasesForMerge(trx, [id, duplicateId])
    const into = rows.find((r) => r.id === id)
    const duplicate = rows.find((r) => r.id === duplicateId)
    assertCaseVisible(operator, into)
    assertCaseVisible(operator, duplicate)
    // Who may act comes first, then whether they saw the current version, then the state.
    const refusal = mergeRefusal(operator, into, duplicate)
    if (refusal?.code === 'FORBIDDEN') throw new ApiError('FORBIDDEN', refusal.message)
    if (into.version !== input.version) {
      throw new ApiError('CONFLICT', staleVersionMessage, { reason: 'stale_version' })
    }
    if (refusal) throw new ApiError('CONFLICT', refusal.message)
    const at = new Date()
    if (!(await updateCaseAtVersion(trx, into.id, input.version, {}))) {
      throw new ApiError('CONFLICT', staleVersionMessage, { reason: 'stale_version' })
    }
    const followed = await markMerged(trx, { id: duplicate.id, into: into.id, at })
    const note = input.note ? maskPersonalNumbers(input.note) : ''
    const actor = operator.username
    await addCaseEvents(trx, [
      {
        complaintId: duplicate.id,
        kind: 'merged',
        isPublic: true,
        note: mergedPublicNote,
        actor,
        occurredAt: at,
      },
      {
        complaintId: duplicate.id,
        kind: 'merged',
        isPublic: false,
        note: `并入案件 ${into.trackingNo}，合并办理。${note}`,
        actor,
        occurredAt: at,
      },
      {
        complaintId: into.id,
        kind: 'merged_in',
        isPublic: false,
        note: `案件 ${duplicate.trackingNo}${followed.length > 0 ? `（及此前并入它的 ${followed.length} 件）` : ''}并入本案，合并办理。${note}`,
        actor,
        occurredAt: at,
      },
    ])
    for (const [complaintId, action, detail] of [
      [into.id, 'case.merge', { merged: duplicate.id, trackingNo: duplicate.trackingNo, followed }],
      [duplicate.id, 'case.merged_into', { into: into.id, trackingNo: into.trackingNo }],
    ] as const) {
      await recordAudit(trx, {
        operator,
        action,
        complaintId,
        clientAddress: input.clientAddress,
        detail,
      })
    }
    await enqueue(
      trx,
      [into.id, duplicate.id, ...followed].map((caseId) => ({
        topic: complaintChangedTopic,
        aggregateKey: complaintKey(caseId),
        payload: { id: caseId },
      })),
    )
  })
  forgetStatusCounts(ctx)
  const row = await findCase(ctx.db, id)
  if (!row) throw new Error(`case ${id} vanished after a merge`)
  return caseDetail(ctx, operator, row)
}
