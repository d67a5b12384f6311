import { enqueueCreditRecompute } from '../../../../db/queries/credit-record.ts'
import {
  findVisit,
  lockVisit,
  replaceVisitDetails,
  updateVisitAtVersion,
  visitInspectors,
  visitInstruments,
} from '../../../../db/queries/visits.ts'
import type { ServiceContext } from '../../../deps.ts'
import { beijingDate } from '../../../domain/beijing-time.ts'
import type { VisitStatus } from '../../../domain/credit.ts'
import { maskPersonalNumbers } from '../../../domain/masks.ts'
import { ApiError } from '../../../errors.ts'
import { InputRefusal, validationFailed, type FieldProblem } from '../../../validation.ts'
import type { SignedInOperator } from '../access.ts'
import { recordAudit } from '../audit.ts'
import { assertMayWrite, checkedVisitId, visitNotFound } from './access.ts'
import { visitDetail } from './get.ts'
import { visitRecordInputSchema, type VisitDetail, type VisitRecordInput } from './schemas.ts'

const visitStaleMessage =
  '这次检查的记录已被他人保存，您的内容没有保存。下面显示的是最新记录，请核对后重新填写。'

/** A save that lost the race: 409 with the visit as it is now, so the client can show it. */
export class StaleVisit extends ApiError {
  constructor(readonly current: VisitDetail) {
    super('CONFLICT', visitStaleMessage, { reason: 'stale_version', visit: current })
  }
}

/** The fields as sent, parsed once (every problem of the schema at once, as a 400). */
export function parseVisitRecord(raw: unknown): VisitRecordInput {
  const parsed = visitRecordInputSchema.safeParse(raw)
  if (!parsed.success) throw validationFailed(parsed.error, 'json')
  return parsed.data
}

type Locked = NonNullable<Awaited<ReturnType<typeof lockVisit>>>

/**
 * The rules across fields, all reported at once: the result follows the instruments, a failed
 * visit carries an order to rectify, dates fall in order and not in the future, the inspectors
 * present were assigned, and a published record is changed only with a reason.
 */
function problemsOf(
  input: VisitRecordInput,
  visit: Locked,
  assigned: ReadonlySet<string>,
  today: string,
  changesRecord: boolean,
): FieldProblem[] {
  const problems: FieldProblem[] = []
  const add = (field: string, message: string) => problems.push({ field, message })
  if (input.visitedOn > today) add('visitedOn', `检查日期不能晚于今天（${today}）。`)
  if (input.visitedOn < visit.campaignStartsOn) {
    add('visitedOn', `检查日期不能早于专项检查开始日期（${visit.campaignStartsOn}）。`)
  }
  const ids = new Set(input.inspectorIds)
  if (ids.size !== input.inspectorIds.length) add('inspectorIds', '同一名检查人员只能选择一次。')
  if (input.inspectorIds.some((id) => !assigned.has(id))) {
    add('inspectorIds', '在场检查人员应从抽取时指派的人员中选择。')
  }
  const forced = input.instruments.some((i) => !i.passed || !i.verificationValid)
  if (forced && input.result === 'pass') {
    add('result', '有计量器具不合格或强制检定失效，检查结论应为“不合格”。')
  }
  if (input.result === 'fail' && input.rectificationDue === null) {
    add('rectificationDue', '检查结论为不合格时，请填写责令整改的期限。')
  }
  if (input.rectificationDue !== null && input.rectificationDue < input.visitedOn) {
    add('rectificationDue', '整改期限不能早于检查日期。')
  }
  if ((input.followUpOn === null) !== (input.followUpResult === null)) {
    add(
      input.followUpOn === null ? 'followUpOn' : 'followUpResult',
      '复查日期和复查结果请一起填写（尚未复查时都留空）。',
    )
  }
  if (input.followUpOn !== null) {
    if (input.rectificationDue === null) {
      add('followUpOn', '没有责令整改的检查不需要复查，请清空复查日期和结果。')
    }
    if (input.followUpOn < input.visitedOn) add('followUpOn', '复查日期不能早于检查日期。')
    if (input.followUpOn > today) add('followUpOn', `复查日期不能晚于今天（${today}）。`)
  }
  if (changesRecord && visit.status !== 'planned' && !input.reason) {
    add('reason', '检查结果已公开，修改时请写明原因（记入审计日志）。')
  }
  return problems
}

/** 整改中 while an order to rectify waits for its follow-up; 已完成 when nothing is pending. */
function statusOf(input: VisitRecordInput): VisitStatus {
  if (input.rectificationDue !== null && input.followUpResult === null) return 'rectifying'
  return 'closed'
}

/** The public part of a record as stored, to tell a correction from a follow-up. */
function recordKey(v: {
  visitedOn: string | null
  result: string | null
  findings: string
  rectificationDue: string | null
  present: readonly string[]
  instruments: readonly unknown[]
}) {
  return JSON.stringify([
    v.visitedOn,
    v.result,
    v.findings,
    v.rectificationDue,
    [...v.present].sort(),
    v.instruments,
  ])
}

/**
 * Saves a visit's record (POST /api/admin/visits/{id} and the visit page), in one transaction:
 * the visit's row lock, who may write it, the version the operator saw (else 409 with the visit
 * as it is now), the rules across fields, then the visit with its next version, its instruments,
 * who was present, an audit entry and the grade's recomputation. The result is public from its
 * first recording (recorded_at = published_at = now).
 */
export async function recordVisit({
  ctx,
  operator,
  input,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  input: { id: string; record: VisitRecordInput; clientAddress: string }
}): Promise<VisitDetail> {
  const id = checkedVisitId(input.id)
  const { record } = input
  const staleAnswer = async () => {
    const row = await findVisit(ctx.db, id)
    if (!row) return visitNotFound()
    return new StaleVisit(await visitDetail(ctx, row, true))
  }
  const outcome = await ctx.db.transaction().execute(async (trx): Promise<'saved' | 'stale'> => {
    const visit = await lockVisit(trx, id)
    await assertMayWrite(ctx, operator, visit)
    if (!visit) throw visitNotFound()
    if (visit.version !== record.version) return 'stale'
    if (visit.campaignStatus === 'closed' && visit.status === 'planned') {
      throw new ApiError('CONFLICT', '这项专项检查已结束，不能再记录新的检查。')
    }
    const inspectors = await visitInspectors(trx, id)
    const assigned = new Set(inspectors.map((i) => i.operatorId))
    const instruments = record.instruments.map((i) => ({
      instrumentKind: i.kind,
      makerModel: i.makerModel,
      serialNo: i.serialNo,
      verificationValid: i.verificationValid,
      passed: i.passed,
      measuredError: i.measuredError,
    }))
    // Findings are published with the result: a phone or ID number written there is masked.
    const findings = maskPersonalNumbers(record.findings)
    const before = recordKey({
      ...visit,
      present: inspectors.filter((i) => i.present).map((i) => i.operatorId),
      instruments: (await visitInstruments(trx, id)).map((i) => ({
        instrumentKind: i.instrumentKind,
        makerModel: i.makerModel,
        serialNo: i.serialNo,
        verificationValid: i.verificationValid,
        passed: i.passed,
        measuredError: i.measuredError,
      })),
    })
    const after = recordKey({
      ...record,
      findings,
      present: record.inspectorIds,
      instruments,
    })
    const changesRecord = before !== after
    const today = beijingDate()
    const problems = problemsOf(record, visit, assigned, today, changesRecord)
    if (problems.length > 0) {
      const messages = [...new Set(problems.map((p) => p.message))]
      throw new InputRefusal(
        'json',
        `有 ${messages.length} 处需要修改：${messages.join(' ')}`,
        problems,
      )
    }
    const at = new Date()
    const status = statusOf(record)
    const first = visit.recordedAt === null
    const changed = await updateVisitAtVersion(trx, id, record.version, {
      status,
      visitedOn: record.visitedOn,
      result: record.result,
      findings,
      rectificationDue: record.rectificationDue,
      followUpOn: record.followUpOn,
      followUpResult: record.followUpResult,
      followUpNote: record.followUpNote,
      ...(first ? { recordedAt: at, publishedAt: at } : {}),
    })
    if (!changed) return 'stale'
    await replaceVisitDetails(trx, id, {
      presentOperatorIds: record.inspectorIds,
      instruments,
    })
    await recordAudit(trx, {
      operator,
      action: first ? 'visit.recorded' : changesRecord ? 'visit.corrected' : 'visit.followed_up',
      enterpriseUscc: visit.uscc,
      clientAddress: input.clientAddress,
      detail: {
        visitId: id,
        campaignId: visit.campaignId,
        from: visit.status,
        to: status,
        result: record.result,
        version: record.version + 1,
        instruments: instruments.length,
        failed: instruments.filter((i) => !i.passed || !i.verificationValid).length,
        ...(record.followUpResult ? { followUpResult: record.followUpResult } : {}),
        ...(record.reason && !first ? { reason: record.reason } : {}),
      },
    })
    await enqueueCreditRecompute(trx, [visit.uscc], `visit:${id}`)
    return 'saved'
  })
  if (outcome === 'stale') throw await staleAnswer()
  const row = await findVisit(ctx.db, id)
  if (!row) throw visitNotFound()
  return visitDetail(ctx, row, true)
}
