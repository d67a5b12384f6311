import type { Transaction } from 'kysely'
import type { Database } from '../../../db/database.ts'
import { addCaseEvents } from '../../../db/queries/cases.ts'
import {
  claimTicketEvents,
  lockTicket,
  recordInboxFailure,
  replaceInboxBody,
  setInboxState,
  ticketEventsInState,
  ticketsWithDueEvents,
  type InboxEventRow,
} from '../../../db/queries/hotline-inbox.ts'
import {
  consoleEntriesOf,
  findTicketForUpdate,
  updateHotlineCase,
  updateTicket,
} from '../../../db/queries/hotline-tickets.ts'
import { enqueue } from '../../../db/queries/outbox.ts'
import { caseOutcomeFacts } from '../../../db/queries/case-outcomes.ts'
import { publishCaseOutcome } from '../credit/case-outcome.ts'
import type { ServiceContext } from '../../deps.ts'
import { complaintChangedTopic, complaintKey } from '../../search/complaint-indexer.ts'
import { erasedText } from '../../domain/erasure.ts'
import type { HotlineEvent } from './events.ts'
import { foldedLocalKinds, foldTicket, timelineEntryOf } from './fold.ts'
import { openInboxEvent, redactInboxBody } from './inbox.ts'
import { afterFailure, hotlineInboxPolicy, inboxIdleLimitSeconds } from '../shared/queue-policy.ts'
import { createCaseFromTicket } from './ticket-case.ts'

type Ctx = Pick<ServiceContext, 'db' | 'privacy' | 'logger'>

/** What applying one inbox event did. */
export type ApplyOutcome =
  | {
      webhookId: string
      result: 'applied'
      ticketNo: string
      complaintId: string
      alsoApplied: number
    }
  | { webhookId: string; result: 'held'; ticketNo: string }
  | { webhookId: string; result: 'failed'; error: string }

/**
 * Applies a ticket's due pending events together, in one transaction that holds their rows and
 * the ticket's lock, so a dispatch and a later event of the same ticket never interleave:
 * - a dispatch without a case makes the case (the earliest, if several came), and the ticket's
 *   held events are applied with it;
 * - other events without a case are held until the dispatch comes;
 * - otherwise each event's timeline entry is written.
 * Then the ticket's state is folded afresh from every applied event (fold.ts) and written to the
 * case and the ticket once, with the next version and an outbox message for the private index.
 * A crash before the commit leaves the events pending; a failure is retried with backoff.
 */
export async function applyTicketEvents(
  ctx: Ctx,
  ticketNo: string,
  now: Date = new Date(),
): Promise<ApplyOutcome[]> {
  let claimed: InboxEventRow[] = []
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      await lockTicket(trx, ticketNo, { idleLimitSeconds: inboxIdleLimitSeconds })
      const rows = await claimTicketEvents(trx, ticketNo, now)
      claimed = rows
      if (rows.length === 0) return []
      return applyRows(ctx, trx, ticketNo, rows, now)
    })
  } catch (error) {
    if (claimed.length === 0) throw error
    const message = error instanceof Error ? error.message : String(error)
    ctx.logger.warn(
      { ticketNo, events: claimed.length, err: message },
      'hotline events failed; will retry',
    )
    for (const row of claimed) {
      // The try is counted now: the claim was the rolled-back transaction's row lock.
      const outcome = afterFailure(hotlineInboxPolicy, row.attempts + 1)
      await recordInboxFailure(ctx.db, row, { error: message, outcome, now })
    }
    return claimed.map((row) => ({
      webhookId: row.webhookId,
      result: 'failed' as const,
      error: message,
    }))
  }
}

async function applyRows(
  ctx: Ctx,
  trx: Transaction<Database>,
  ticketNo: string,
  rows: readonly InboxEventRow[],
  now: Date,
): Promise<ApplyOutcome[]> {
  let events = rows.map((row) => ({ row, event: openInboxEvent(ctx.privacy.ring, row) }))
  let ticket = await findTicketForUpdate(trx, ticketNo)
  if (ticket?.personalDataErasedAt) events = await withoutCaller(ctx, trx, events)
  const entries: { event: HotlineEvent; caseExisted: boolean }[] = []
  let held: typeof events = []
  let creator: (typeof events)[number] | undefined
  if (!ticket) {
    // Claimed in time order: the first dispatch among them makes the case.
    creator = events.find((e) => e.event.type === 'ticket.dispatched')
    if (creator?.event.type !== 'ticket.dispatched') {
      await setInboxState(
        trx,
        events.map((e) => e.row.webhookId),
        'held',
        now,
      )
      return events.map((e) => ({ webhookId: e.row.webhookId, result: 'held' as const, ticketNo }))
    }
    await createCaseFromTicket(ctx, trx, creator.event.ticket, new Date(creator.event.occurred_at))
    ticket = await findTicketForUpdate(trx, ticketNo)
    if (!ticket) throw new Error(`ticket ${ticketNo} missing after its dispatch`)
    held = (await ticketEventsInState(trx, ticketNo, 'held')).map((h) => ({
      row: h,
      event: openInboxEvent(ctx.privacy.ring, h),
    }))
  }
  for (const e of [...events, ...held]) entries.push({ event: e.event, caseExisted: e !== creator })
  const complaintId = ticket.complaintId
  await addCaseEvents(
    trx,
    entries.map((e) => ({
      ...timelineEntryOf(e.event, e.caseExisted),
      ...entryFacts(complaintId, e.event.occurred_at),
    })),
  )
  await setInboxState(
    trx,
    [...events, ...held].map((e) => e.row.webhookId),
    'applied',
    now,
  )
  await refold(ctx, trx, ticketNo, ticket)
  return events.map((e) => ({
    webhookId: e.row.webhookId,
    result: 'applied' as const,
    ticketNo,
    complaintId,
    alsoApplied: e === creator ? held.length : 0,
  }))
}

/**
 * Events that reach a case whose resident's data was erased (a late revisit, a reopening): they
 * are kept, and applied, without the caller, as the erasure left the ticket's earlier events
 * (admin/cases/retention.ts), so nothing of the resident comes back through the hotline.
 */
async function withoutCaller(
  ctx: Ctx,
  trx: Transaction<Database>,
  events: readonly { row: InboxEventRow; event: HotlineEvent }[],
) {
  const redacted = []
  for (const { row } of events) {
    const sealed = redactInboxBody(ctx.privacy.ring, row, erasedText)
    await replaceInboxBody(trx, row.webhookId, sealed)
    const kept = { ...row, ...sealed }
    redacted.push({ row: kept, event: openInboxEvent(ctx.privacy.ring, kept) })
  }
  return redacted
}

const entryFacts = (complaintId: string, occurredAt: string) => ({
  complaintId,
  actor: 'hotline',
  occurredAt: new Date(occurredAt),
})

/** Writes the state folded from every applied event and the console's entries. */
async function refold(
  ctx: Ctx,
  trx: Transaction<Database>,
  ticketNo: string,
  ticket: NonNullable<Awaited<ReturnType<typeof findTicketForUpdate>>>,
) {
  const applied = await ticketEventsInState(trx, ticketNo, 'applied')
  const local = await consoleEntriesOf(trx, ticket.complaintId, foldedLocalKinds)
  const state = foldTicket(
    applied.map((a) => ({ webhookId: a.webhookId, event: openInboxEvent(ctx.privacy.ring, a) })),
    local,
  )
  if (!state) throw new Error(`ticket ${ticketNo} has a case but no applied dispatch`)
  await updateTicket(trx, ticketNo, {
    title: state.ticket.title,
    urgency: state.ticket.urgency,
    hostDept: state.ticket.host_dept ?? null,
    assistDepts: state.ticket.assist_depts,
    assignedAt: new Date(state.ticket.assigned_at),
    attachments: JSON.stringify(state.attachments),
    deadline: state.deadline,
    urgeCount: state.urgeCount,
    supervisedAt: state.supervisedAt,
    returnState: state.returnState ?? ticket.returnState,
    extensionState: state.extensionState ?? ticket.extensionState,
    satisfaction: state.satisfaction,
    lastEventAt: state.lastEventAt,
  })
  const before = await caseOutcomeFacts(trx, ticket.complaintId)
  await updateHotlineCase(trx, ticket.complaintId, {
    status: state.status,
    dueAt: state.deadline,
    priority: state.priority,
    // Cleared when the hotline reopens a closed case.
    closedAt: state.closedAt,
  })
  // 结案归档 puts a 查实/部分查实 finding (from 办结反馈) on the business's credit record; 重办
  // takes it off until the case is closed again.
  if (((before?.closedAt ?? null) === null) !== (state.closedAt === null)) {
    await publishCaseOutcome(trx, ticket.complaintId, `hotline:${ticketNo}`)
  }
  await enqueue(trx, [
    {
      topic: complaintChangedTopic,
      aggregateKey: complaintKey(ticket.complaintId),
      payload: { id: ticket.complaintId },
    },
  ])
}

/**
 * Applies due events until none is left (or about `limit` were tried), a ticket at a time, oldest
 * first; returns what happened to each.
 */
export async function applyPendingInboxEvents(
  ctx: Ctx,
  options: { now?: () => Date; limit?: number } = {},
): Promise<ApplyOutcome[]> {
  const outcomes: ApplyOutcome[] = []
  const limit = options.limit ?? 500
  const clock = options.now ?? (() => new Date())
  while (outcomes.length < limit) {
    const tickets = await ticketsWithDueEvents(ctx.db, clock(), 200)
    if (tickets.length === 0) break
    let progressed = false
    for (const ticketNo of tickets) {
      const done = await applyTicketEvents(ctx, ticketNo, clock())
      if (done.some((o) => o.result !== 'failed')) progressed = true
      outcomes.push(...done)
    }
    // Every due event was taken by another worker or failed (and waits for its retry).
    if (!progressed) break
  }
  return outcomes
}
