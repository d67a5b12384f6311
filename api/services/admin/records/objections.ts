import type { Transaction } from 'kysely'
import type { Database } from '../../../../db/database.ts'
import {
  amendRecordItem,
  decideObjectionAtVersion,
  findObjection,
  findRecordItem,
  hasCorrection,
  insertCorrection,
  insertObjection,
  type RecordItem,
} from '../../../../db/queries/credit-console.ts'
import { enqueueCreditRecompute } from '../../../../db/queries/credit-record.ts'
import type { ServiceContext } from '../../../deps.ts'
import { ApiError } from '../../../errors.ts'
import { beijingDate } from '../../../domain/beijing-time.ts'
import {
  caseFindingLabels,
  recordItemKindLabels,
  visitResultLabels,
  type CorrectionEffect,
} from '../../../domain/credit.ts'
import type { SignedInOperator } from '../access.ts'
import { recordAudit } from '../audit.ts'
import { businessInScope } from './access.ts'
import type { DecisionInput, ObjectionInput } from './schemas.ts'

/** Told to the second of two handlers deciding one objection at once. */
export const staleObjectionMessage =
  '该异议已被他人处理或更新，本次处理没有保存。请刷新页面，查看最新的处理结果。'

const refuse = (field: string, message: string) =>
  new ApiError('VALIDATION_FAILED', message, [{ field, message }])

const itemNotFound = (kind: ObjectionInput['itemKind']) =>
  refuse(
    'itemId',
    `该单位的信用记录中没有这条${recordItemKindLabels[kind]}，请核对记录编号（见下方记录列表）。`,
  )

/**
 * 登记异议: a business disputes one item of its record. The item must be this business's; the
 * statement is internal (it may quote the business's letter, never a resident's data).
 */
export async function recordObjection({
  ctx,
  operator,
  input,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  input: { uscc: string; objection: ObjectionInput; clientAddress: string }
}): Promise<{ id: string }> {
  const business = await businessInScope(ctx, operator, input.uscc)
  const { objection } = input
  const today = beijingDate()
  if (objection.receivedOn > today) {
    throw refuse(
      'receivedOn',
      `收到异议的日期 ${objection.receivedOn} 晚于今天（${today}），请核对`,
    )
  }
  const item = await findRecordItem(ctx.db, objection.itemKind, objection.itemId, business.uscc)
  if (!item) throw itemNotFound(objection.itemKind)
  return ctx.db.transaction().execute(async (trx) => {
    const id = await insertObjection(trx, {
      uscc: business.uscc,
      ...objection,
      createdBy: operator.id,
    })
    await recordAudit(trx, {
      operator,
      action: 'credit.objection_recorded',
      enterpriseUscc: business.uscc,
      clientAddress: input.clientAddress,
      detail: {
        objectionId: id,
        itemKind: objection.itemKind,
        itemId: objection.itemId,
        receivedOn: objection.receivedOn,
      },
    })
    return { id }
  })
}

/** What an upheld objection changes: the item struck, or its one wrong field amended. */
type Correction =
  | { effect: 'struck' }
  | {
      effect: 'amended'
      change: Parameters<typeof amendRecordItem>[1]
      /** What changed, in the public note's words. */
      described: string
    }

/** The correction the decision asks for, checked against the item as it is now. */
function plannedCorrection(item: RecordItem, decision: DecisionInput): Correction {
  const effect: CorrectionEffect | undefined = decision.effect
  if (!effect) throw refuse('effect', '异议成立时，请选择更正方式：删除该条记录或更正记录内容')
  if (effect === 'struck') return { effect }
  switch (item.kind) {
    case 'inspection': {
      if (!decision.result) throw refuse('result', '请选择更正后的检查结果')
      if (decision.result === item.result) {
        throw refuse('result', `检查结果已是“${visitResultLabels[item.result]}”，无需更正`)
      }
      const before = item.result ? `由“${visitResultLabels[item.result]}”` : ''
      return {
        effect,
        change: { kind: 'inspection', id: item.id, result: decision.result },
        described: `检查结果${before}更正为“${visitResultLabels[decision.result]}”`,
      }
    }
    case 'case': {
      if (!decision.finding) throw refuse('finding', '请选择更正后的办结认定')
      if (decision.finding === item.finding) {
        throw refuse('finding', `办结认定已是“${caseFindingLabels[item.finding]}”，无需更正`)
      }
      const before = item.finding ? `由“${caseFindingLabels[item.finding]}”` : ''
      return {
        effect,
        change: { kind: 'case', id: item.id, finding: decision.finding },
        described: `投诉举报的办结认定${before}更正为“${caseFindingLabels[decision.finding]}”`,
      }
    }
    case 'penalty': {
      if (!decision.penalty) throw refuse('penalty', '请填写更正后的处罚内容')
      if (decision.penalty === item.penalty)
        throw refuse('penalty', '处罚内容与原记录相同，无需更正')
      return {
        effect,
        change: { kind: 'penalty', id: item.id, penalty: decision.penalty },
        described: `处罚内容由“${item.penalty}”更正为“${decision.penalty}”`,
      }
    }
    case 'commitment':
      throw refuse('effect', '自我承诺不能更正内容：有误的承诺请选择“删除该条记录”，再重新记录')
  }
}

/** The public note shown beside the corrected item: "经异议核实，……，已更正。" */
function publicNoteOf(correction: Correction, decision: DecisionInput): string {
  const what =
    correction.effect === 'struck' ? '该条记录有误，已删除，不再计入信用记录' : correction.described
  const why = decision.publicNote ? `${decision.publicNote.replace(/[。.\s]+$/, '')}。` : ''
  return `经异议核实，${what}，已更正。${why}`.slice(0, 1000)
}

async function applyCorrection(
  trx: Transaction<Database>,
  c: { uscc: string; objectionId: string; item: RecordItem; correction: Correction; note: string },
) {
  if (await hasCorrection(trx, c.item.kind, c.item.id)) {
    throw new ApiError('CONFLICT', '这条记录已经因另一项异议更正过，不能再次更正。', {
      reason: 'corrected',
    })
  }
  if (c.correction.effect === 'amended') await amendRecordItem(trx, c.correction.change)
  const inserted = await insertCorrection(trx, {
    itemKind: c.item.kind,
    itemId: c.item.id,
    uscc: c.uscc,
    objectionId: c.objectionId,
    effect: c.correction.effect,
    note: c.note,
  })
  if (!inserted) {
    throw new ApiError('CONFLICT', '这条记录刚刚因另一项异议更正过，不能再次更正。', {
      reason: 'corrected',
    })
  }
}

/**
 * 异议处理: upheld or rejected, with the handler's note, at the version the handler read (two
 * handlers deciding at once: one wins, the other is told and nothing of theirs is written). An
 * upheld objection corrects the record in the same transaction: the correction with its public
 * note, the item's amended field when one was wrong, and the grade's recompute. Audited.
 */
export async function decideObjection({
  ctx,
  operator,
  input,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  input: { uscc: string; objectionId: string; decision: DecisionInput; clientAddress: string }
}): Promise<void> {
  const business = await businessInScope(ctx, operator, input.uscc)
  const { decision } = input
  const found = await findObjection(ctx.db, input.objectionId, business.uscc)
  if (!found) {
    throw new ApiError('NOT_FOUND', '没有找到这项异议，请从该单位的信用记录页面进入。')
  }
  if (decision.outcome === 'upheld' && !decision.publicNote) {
    throw refuse('publicNote', '异议成立时，请填写公开的更正说明，例如“检查时仪器编号记录错误”')
  }
  await ctx.db.transaction().execute(async (trx) => {
    const decided = await decideObjectionAtVersion(trx, found.id, decision.version, {
      status: decision.outcome,
      outcomeNote: decision.outcomeNote,
      decidedBy: operator.id,
    })
    if (!decided) {
      throw new ApiError('CONFLICT', staleObjectionMessage, { reason: 'stale_version' })
    }
    let correction: Correction | undefined
    if (decision.outcome === 'upheld') {
      const item = await findRecordItem(trx, found.itemKind, found.itemId, business.uscc)
      if (!item) throw itemNotFound(found.itemKind)
      correction = plannedCorrection(item, decision)
      await applyCorrection(trx, {
        uscc: business.uscc,
        objectionId: found.id,
        item,
        correction,
        note: publicNoteOf(correction, decision),
      })
      await enqueueCreditRecompute(trx, [business.uscc], 'objection')
    }
    await recordAudit(trx, {
      operator,
      action: `credit.objection_${decision.outcome}`,
      enterpriseUscc: business.uscc,
      clientAddress: input.clientAddress,
      detail: {
        objectionId: found.id,
        itemKind: found.itemKind,
        itemId: found.itemId,
        version: decision.version + 1,
        ...(correction ? { effect: correction.effect } : {}),
        ...(correction?.effect === 'amended' ? { changed: correction.described } : {}),
      },
    })
  })
}
