import type { Transaction } from 'kysely'
import type { Database } from '../../../db/database.ts'
import { addCaseEvents } from '../../../db/queries/cases.ts'
import {
  claimPendingEvent,
  lockTicket,
  recordInboxFailure,
  setInboxState,
  ticketEventsInState,
  type InboxEventRow,
} from '../../../db/queries/hotline-inbox.ts'
import {
  consoleEntriesOf,
  findTicketForUpdate,
  updateHotlineCase,
  updateTicket,
} from '../../../db/queries/hotline-tickets.ts'
import { enqueue } from '../../../db/queries/outbox.ts'
import type { ServiceContext } from '../../deps.ts'
import { complaintChangedTopic, complaintKey } from '../../search/complaint-indexer.ts'
import { foldedLocalKinds, foldTicket, timelineEntryOf } from './fold.ts'
import { openInboxEvent } from './inbox.ts'
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
 * Applies the oldest due pending event, if any, in one transaction that holds the event's row and
 * its ticket's lock, so a dispatch and a later event of the same ticket never interleave:
 * - a dispatch without a case makes the case, then applies the ticket's held events with it;
 * - any other event without a case is held until the dispatch comes;
 * - otherwise the event's timeline entry is written.
 * Then the ticket's state is folded afresh from every applied event (fold.ts) and written to the
 * case and the ticket, with the next version and an outbox message for the private index.
 * A crash before the commit leaves the event pending; a failure is retried with backoff.
 */
export async function applyNextInboxEvent(
  ctx: Ctx,
  now: Date = new Date(),
): Promise<ApplyOutcome | undefined> {
  let claimed: string | undefined
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      const row = await claimPendingEvent(trx, now)
      if (!row) return undefined
      claimed = row.webhookId
      return applyRow(ctx, trx, row, now)
    })
  } catch (error) {
    if (claimed === undefined) throw error
    const message = error instanceof Error ? error.message : String(error)
    ctx.logger.warn({ webhookId: claimed, err: message }, 'hotline event failed; will retry')
    await recordInboxFailure(ctx.db, claimed, message, now)
    return { webhookId: claimed, result: 'failed', error: message }
  }
}

async function applyRow(
  ctx: Ctx,
  trx: Transaction<Database>,
  row: InboxEventRow,
  now: Date,
): Promise<ApplyOutcome> {
  const ticketNo = row.ticketNo!
  await lockTicket(trx, ticketNo)
  const event = openInboxEvent(ctx.privacy.ring, row)
  let ticket = await findTicketForUpdate(trx, ticketNo)
  const toApply = [{ row, event }]
  if (!ticket) {
    if (event.type !== 'ticket.dispatched') {
      await setInboxState(trx, [row.webhookId], 'held', now)
      return { webhookId: row.webhookId, result: 'held', ticketNo }
    }
    await createCaseFromTicket(ctx, trx, event.ticket, new Date(event.occurred_at))
    ticket = await findTicketForUpdate(trx, ticketNo)
    if (!ticket) throw new Error(`ticket ${ticketNo} missing after its dispatch`)
    const held = await ticketEventsInState(trx, ticketNo, 'held')
    toApply.push(...held.map((h) => ({ row: h, event: openInboxEvent(ctx.privacy.ring, h) })))
    const complaintId = ticket.complaintId
    await addCaseEvents(
      trx,
      toApply.map((a, i) => ({
        ...timelineEntryOf(a.event, i > 0),
        ...entryFacts(complaintId, a.event.occurred_at),
      })),
    )
  } else {
    await addCaseEvents(trx, [
      { ...timelineEntryOf(event, true), ...entryFacts(ticket.complaintId, event.occurred_at) },
    ])
  }
  await setInboxState(
    trx,
    toApply.map((a) => a.row.webhookId),
    'applied',
    now,
  )
  await refold(ctx, trx, ticketNo, ticket)
  ctx.logger.info(
    { webhookId: row.webhookId, eventType: event.type, held: toApply.length - 1 },
    'hotline event applied',
  )
  return {
    webhookId: row.webhookId,
    result: 'applied',
    ticketNo,
    complaintId: ticket.complaintId,
    alsoApplied: toApply.length - 1,
  }
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
  await updateHotlineCase(trx, ticket.complaintId, {
    status: state.status,
    dueAt: state.deadline,
    priority: state.priority,
    // Cleared when the hotline reopens a closed case.
    closedAt: state.closedAt,
  })
  await enqueue(trx, [
    {
      topic: complaintChangedTopic,
      aggregateKey: complaintKey(ticket.complaintId),
      payload: { id: ticket.complaintId },
    },
  ])
}

/** Applies due events until none is left (or `limit` were tried); returns what happened. */
export async function applyPendingInboxEvents(
  ctx: Ctx,
  options: { now?: () => Date; limit?: number } = {},
): Promise<ApplyOutcome[]> {
  const outcomes: ApplyOutcome[] = []
  const limit = options.limit ?? 500
  while (outcomes.length < limit) {
    const outcome = await applyNextInboxEvent(ctx, options.now?.() ?? new Date())
    if (!outcome) break
    outcomes.push(outcome)
  }
  return outcomes
}
