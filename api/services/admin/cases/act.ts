import type { Kysely, Transaction, Updateable } from 'kysely'
import type { ComplaintTable, Database } from '../../../../db/database.ts'
import { listCounties } from '../../../../db/queries/enterprises.ts'
import {
  addCaseEvents,
  caseState,
  findCase,
  updateCaseAtVersion,
} from '../../../../db/queries/cases.ts'
import { enqueue } from '../../../../db/queries/outbox.ts'
import { mergedWebCaseIds } from '../../../../db/queries/merged-cases.ts'
import {
  hotlineCaseFacts,
  markTicketRequested,
  ticketOfCase,
} from '../../../../db/queries/hotline-callbacks.ts'
import { lockTicket } from '../../../../db/queries/hotline-inbox.ts'
import type { ServiceContext } from '../../../deps.ts'
import { ApiError } from '../../../errors.ts'
import { withoutResident } from '../../../domain/erasure.ts'
import { maskPersonalNumbers } from '../../../domain/masks.ts'
import { complaintChangedTopic, complaintKey } from '../../../search/complaint-indexer.ts'
import { erasePersonalData } from './retention.ts'
import { publishCaseOutcome } from '../../credit/case-outcome.ts'
import { enqueueResidentSms } from '../../sms/enqueue.ts'
import type { SmsEvent } from '../../../domain/sms.ts'
import type { ComplaintChannel } from '../../../domain/complaints.ts'
import { validationFailed } from '../../../validation.ts'
import { callbackPayload, queueCallback } from './callbacks.ts'
import type { SignedInOperator } from '../access.ts'
import { recordAudit } from '../audit.ts'
import { correctContact } from './correct-contact.ts'
import { dueAtAfter } from './deadlines.ts'
import { entriesFor } from './entries.ts'
import { caseDetail } from './get.ts'
import {
  caseMachine,
  isHotlineAction,
  nextStatus,
  refusalOf,
  type CaseFacts,
  type HotlineAction,
} from './machine.ts'
import { parseCaseAction, type CaseActionInput, type CaseDetail } from './schemas.ts'
import { assertCaseVisible, checkedId } from './scope.ts'
import { forgetStatusCounts } from './list.ts'

export const staleVersionMessage = '该案件已被他人更新，请刷新后查看最新内容再操作。'

const stale = () => new ApiError('CONFLICT', staleVersionMessage, { reason: 'stale_version' })

/**
 * An action's fields as sent, parsed once: the schema (its refusal worded as the API's request
 * body error) and the one rule it cannot say (a correction must change something).
 */
export function parseCaseActionFields(fields: unknown): CaseActionInput {
  const parsed = parseCaseAction(fields)
  if (!parsed.success) throw validationFailed(parsed.error, 'json')
  const input = parsed.data
  if (input.action === 'correct_contact' && input.name === undefined && input.phone === undefined) {
    const message = '请填写更正后的姓名或电话（不改的一项留空）。'
    throw new ApiError('VALIDATION_FAILED', message, [{ field: 'name', message }])
  }
  return input
}

/** The facts an action records on the case row (the timeline keeps the history). */
function factsOf(input: CaseActionInput, at: Date): Updateable<ComplaintTable> {
  switch (input.action) {
    case 'accept':
      return { acceptedAt: at }
    case 'reject':
      return { rejectionReason: input.reason!, rejectionNote: input.note! }
    case 'assign':
      return { countyCode: input.county! }
    case 'mediate':
      return { mediationResult: input.mediationResult! }
    case 'complete':
    case 'report_completion':
      return {
        handlingResult: input.handlingResult!,
        publicReply: input.publicReply!,
        resolvedAt: at,
        finding: input.finding!,
        followUp: input.followUp!,
      }
    case 'close':
      return { closedAt: at }
    case 'sign':
      return { acceptedAt: at }
    case 'hold_erasure':
      return { erasureHeldAt: at, erasureHoldNote: input.note! }
    case 'lift_erasure_hold':
      return { erasureHeldAt: null, erasureHoldNote: null }
    case 'note':
    case 'start':
    case 'correct_contact':
    case 'erase_personal_data':
    case 'request_return':
    case 'request_extension':
    case 'report_progress':
      return {}
  }
}

/**
 * The actions a web resident who asked for messages is told of by SMS (issue 25): 受理 or 不予受理,
 * 办结 (the reply is published), 归档; on a 12345 work order, its 签收 and 办结反馈. A 12345 caller
 * hears from the hotline's own revisit: only the web cases merged into a work order are told.
 */
const residentSmsEventOf: Partial<Record<CaseActionInput['action'], SmsEvent>> = {
  accept: 'accepted',
  reject: 'rejected',
  complete: 'replied',
  close: 'closed',
  sign: 'accepted',
  report_completion: 'replied',
}

/** The cases whose residents an action's message goes to: the case's own (web) and those merged. */
async function smsRecipients(
  trx: Transaction<Database>,
  c: { id: string; channel: ComplaintChannel },
): Promise<string[]> {
  const merged = await mergedWebCaseIds(trx, c.id)
  return c.channel === 'web' ? [c.id, ...merged] : merged
}

/** Which contact fields a correction changed (never their values). */
const correctedFields = (input: Pick<CaseActionInput, 'name' | 'phone'>) =>
  (['name', 'phone'] as const).filter((field) => input[field] !== undefined)

/** What the audit entry keeps of a hotline action's input (no free text: it is in the timeline). */
function hotlineAuditDetail(input: CaseActionInput) {
  return {
    ...(input.days === undefined ? {} : { days: input.days }),
    ...(input.resolved === undefined ? {} : { resolved: input.resolved }),
  }
}

/**
 * The hotline's side of an action, in the action's transaction: a request (退单, 延期) marks the
 * ticket, and every hotline action queues its callback. A request whose ticket state moved since
 * the check (the hotline decided, a colleague asked) is refused like a stale version.
 */
async function answerHotline(
  trx: Transaction<Database>,
  action: HotlineAction,
  input: CaseActionInput,
  c: { id: string; countyCode: string; ticketNo: string; operatorId: string; at: Date },
) {
  const request = caseMachine[action].ticket
  if (request && !(await markTicketRequested(trx, c.ticketNo, request.request, request.from))) {
    throw stale()
  }
  const county = (await listCounties(trx)).find((x) => x.code === c.countyCode)
  const payload = callbackPayload(action, input, {
    ticketNo: c.ticketNo,
    countyName: county?.name ?? '丽水市',
    at: c.at,
  })
  return queueCallback(trx, {
    payload,
    complaintId: c.id,
    operatorId: c.operatorId,
    at: c.at,
  })
}

/** The county an assignment goes to: one of ours, and not the one the case is already in. */
async function assignmentTarget(db: Kysely<Database>, county: string, current: string) {
  const refuse = (message: string) =>
    new ApiError('VALIDATION_FAILED', message, [{ field: 'county', message }])
  const found = (await listCounties(db)).find((c) => c.code === county)
  if (!found) throw refuse('请从列表中选择丽水市的区县。')
  if (county === current) throw refuse(`案件已在${found.name}，请选择其他区县。`)
  return found.name
}

/**
 * The resident's own data, for the two actions taken at their request: a correction seals the
 * new details, an erasure removes them all (retention.ts). Returns the input as the
 * timeline records it: the operator's note says how the request came and was checked, and must
 * not bring the resident back, neither the old details nor the new.
 */
async function changePersonalData(
  ctx: ServiceContext,
  trx: Transaction<Database>,
  action: CaseActionInput,
  id: string,
  at: Date,
): Promise<CaseActionInput> {
  if (action.action === 'correct_contact') {
    const { before, after } = await correctContact(ctx, trx, id, action)
    return { ...action, note: withoutResident(withoutResident(action.note!, before), after) }
  }
  if (action.action === 'erase_personal_data') {
    const residents = await erasePersonalData(ctx, trx, [id], {
      at,
      erasure: 'request',
      // The action's own update gave the case its next version.
      bumpVersion: false,
    })
    return { ...action, note: withoutResident(action.note!, residents.get(id)!) }
  }
  return action
}

/** The fields of an action a handler writes in their own words (schemas.ts). */
const writtenFields = [
  'note',
  'handlingResult',
  'publicReply',
  'returnReason',
  'legalBasis',
  'extensionReason',
] as const

/**
 * What the operator wrote, with any phone or ID number masked: on a case whose resident's data
 * was erased (as the erasure masked the record; the name is no longer known), and for an action
 * whose text every operator of the case reads (`masksNumbers`). It is masked in the timeline, on
 * the case and in what goes back to 12345.
 */
function withoutPersonalNumbers(input: CaseActionInput): CaseActionInput {
  const scrubbed = { ...input }
  for (const field of writtenFields) {
    const text = input[field]
    if (text !== undefined) scrubbed[field] = maskPersonalNumbers(text)
  }
  return scrubbed
}

/**
 * Takes one action on a case (POST /api/admin/cases/:id/actions), all in one transaction: checks
 * the operator's county and role, the version the operator saw, and the state machine; writes the
 * new status and facts with the next version only if nobody changed the case meanwhile (else 409),
 * the moved due date, the timeline entries (actor: the operator's username), an audit entry
 * `case.<action>` and the outbox message that refreshes the private index.
 */
export async function actOnCase({
  ctx,
  operator,
  input,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  input: { id: string; action: CaseActionInput; clientAddress: string }
}): Promise<CaseDetail> {
  const { action } = input
  await ctx.db.transaction().execute(async (trx) => {
    const id = checkedId(input.id)
    // A 12345 case's ticket lock comes first, as the inbox worker takes it (hotline/apply.ts):
    // an event being applied now finishes before this action reads the case, and the worker never
    // waits for a row this action holds while this action waits for one of its rows (a deadlock
    // PostgreSQL would end by failing one side after a second).
    const ticket = await ticketOfCase(trx, id)
    if (ticket) await lockTicket(trx, ticket.ticketNo)
    const found = await caseState(trx, id)
    assertCaseVisible(operator, found)
    const hotline = await hotlineCaseFacts(trx, found.id)
    const current: typeof found & CaseFacts = {
      ...found,
      channel: hotline?.channel ?? 'web',
      ticket: hotline?.ticket ?? null,
    }
    // Who may act comes first, then whether they saw the current version, then the state.
    const refusal = refusalOf(operator, current, action.action)
    if (refusal?.code === 'FORBIDDEN') throw new ApiError('FORBIDDEN', refusal.message)
    if (current.version !== action.version) throw stale()
    if (refusal) throw new ApiError(refusal.code, refusal.message, { status: current.status })
    const taken =
      current.personalDataErasedAt || caseMachine[action.action].masksNumbers
        ? withoutPersonalNumbers(action)
        : action
    const countyName =
      action.action === 'assign'
        ? await assignmentTarget(trx, action.county!, current.countyCode)
        : undefined
    const at = new Date()
    const to = nextStatus(current, action.action)
    const dueAt = dueAtAfter(ctx.calendar, current.kind, action.action, at)
    const changed = await updateCaseAtVersion(trx, current.id, action.version, {
      ...factsOf(taken, at),
      status: to,
      ...(dueAt ? { dueAt } : {}),
    })
    if (!changed) throw stale()
    const recorded = await changePersonalData(ctx, trx, taken, current.id, at)
    // 归档 makes a 查实/部分查实 finding public on the business's credit record.
    const creditRecord =
      to === 'closed' ? await publishCaseOutcome(trx, current.id, `case:${current.id}`) : null
    let callback: { id: string; webhookId: string } | undefined
    if (isHotlineAction(action.action)) {
      const ticketNo = hotline?.ticket?.ticketNo
      if (!ticketNo) {
        throw new ApiError('CONFLICT', '这个案件没有关联的 12345 工单，不能向热线反馈。')
      }
      callback = await answerHotline(trx, action.action, taken, {
        id: current.id,
        countyCode: current.countyCode,
        ticketNo,
        operatorId: operator.id,
        at,
      })
    }
    const entries = entriesFor(recorded, {
      kind: current.kind,
      from: current.status,
      to,
      dueAt: dueAt ?? current.dueAt,
      ...(countyName ? { countyName } : {}),
    })
    await addCaseEvents(
      trx,
      entries.map((e) => ({
        ...e,
        complaintId: current.id,
        actor: operator.username,
        occurredAt: at,
      })),
    )
    await recordAudit(trx, {
      operator,
      action: `case.${action.action}`,
      complaintId: current.id,
      clientAddress: input.clientAddress,
      detail: {
        from: current.status,
        to,
        version: action.version + 1,
        ...(action.reason ? { reason: action.reason } : {}),
        ...(action.mediationResult ? { mediationResult: action.mediationResult } : {}),
        ...(action.finding ? { finding: action.finding, followUp: action.followUp } : {}),
        ...(creditRecord ? { creditRecord } : {}),
        ...(action.action === 'assign'
          ? { fromCounty: current.countyCode, toCounty: action.county }
          : {}),
        ...(action.action === 'correct_contact' ? { corrected: correctedFields(action) } : {}),
        ...(callback
          ? {
              ticketNo: hotline?.ticket?.ticketNo,
              callbackId: callback.id,
              webhookId: callback.webhookId,
              ...hotlineAuditDetail(taken),
            }
          : {}),
      },
    })
    const smsEvent = residentSmsEventOf[action.action]
    if (smsEvent) {
      for (const complaintId of await smsRecipients(trx, current)) {
        await enqueueResidentSms(trx, { complaintId, event: smsEvent })
      }
    }
    await enqueue(trx, [
      {
        topic: complaintChangedTopic,
        aggregateKey: complaintKey(current.id),
        payload: { id: current.id },
      },
    ])
  })
  forgetStatusCounts(ctx)
  // Shown even when the case just left the operator's county (an assignment): they saw it a
  // moment ago, and the answer offers them no further action on it.
  const row = await findCase(ctx.db, input.id)
  if (!row) throw new Error(`case ${input.id} vanished after an action`)
  return caseDetail(ctx, operator, row)
}
