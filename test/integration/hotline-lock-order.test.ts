import { sql } from 'kysely'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { claimTicketEvents, lockTicket } from '../../db/queries/hotline-inbox.ts'
import { findTicketForUpdate } from '../../db/queries/hotline-tickets.ts'
import { erasePersonalDataPastRetention } from '../../api/services/admin/cases/retention.ts'
import { applyPendingInboxEvents } from '../../api/services/hotline/apply.ts'
import { openInboxEvent } from '../../api/services/hotline/inbox.ts'
import { dispatched, later, newTicketNo, postEvent } from '../support/hotline-inbound.ts'
import { signedInOperator, type TestOperator } from '../support/operators.ts'
import { act, caseOf, casesWorld, countyA, type CasesWorld } from './admin-cases-support.ts'

/*
 * A handler's action on a 12345 case, or the retention sweep, while the inbox worker applies an
 * event of the same ticket. The worker holds the ticket's lock, the event and the ticket's row,
 * and then writes the case's row. Taking the case's row first and then waiting for the worker
 * was a deadlock, which PostgreSQL ends after a second by failing one side.
 */

let w: CasesWorld
let handler: TestOperator
let admin: TestOperator

beforeAll(async () => {
  w = await casesWorld()
  handler = await signedInOperator(w.t.deps, 'county_handler', countyA)
  admin = await signedInOperator(w.t.deps, 'city_admin')
})
afterAll(() => w.stop())

const db = () => w.t.deps.db
const callerPhone = '13800138000'
const callerName = '李小梅'

/** A dispatched work order made into a case, with a later event pending that copies the ticket. */
async function hotlineCase() {
  const secret = w.t.deps.config.HOTLINE_WEBHOOK_SECRET!
  const ticketNo = newTicketNo()
  expect((await postEvent(w.app, secret, dispatched(ticketNo))).res.status).toBe(202)
  await applyPendingInboxEvents(w.t.deps)
  const urged = {
    ...later('ticket.urged', ticketNo, '2026-11-26T11:00:00+08:00', { note: '市民来电催办。' }),
    ticket: dispatched(ticketNo).ticket,
  }
  expect((await postEvent(w.app, secret, urged)).res.status).toBe(202)
  const { complaintId } = await db()
    .selectFrom('hotlineTickets')
    .select('complaintId')
    .where('ticketNo', '=', ticketNo)
    .executeTakeFirstOrThrow()
  const { version } = await caseOf(w.app, admin.headers, complaintId)
  return { ticketNo, complaintId, version }
}

/**
 * The inbox worker applying the pending event, with its own queries in its order (hotline/apply.ts):
 * the ticket's lock, the events, the ticket's row; then, on `proceed()`, the case's row.
 */
async function inboxWorkerHolding(ticketNo: string, complaintId: string) {
  let proceed!: () => void
  const proceeding = new Promise<void>((resolve) => (proceed = resolve))
  let held!: () => void
  const holding = new Promise<void>((resolve) => (held = resolve))
  const done = db()
    .transaction()
    .execute(async (trx) => {
      await lockTicket(trx, ticketNo)
      const claimed = await claimTicketEvents(trx, ticketNo, new Date())
      expect(claimed.map((e) => e.eventType)).toEqual(['ticket.urged'])
      expect(await findTicketForUpdate(trx, ticketNo)).toBeDefined()
      held()
      await proceeding
      await trx
        .updateTable('complaints')
        .set({ updatedAt: new Date() })
        .where('id', '=', complaintId)
        .execute()
    })
  await holding
  return { proceed, done }
}

/** Waits until some transaction of this database waits for a lock, or `work` has finished. */
async function blockedOrFinished(work: Promise<unknown>) {
  const state = { finished: false }
  void work.finally(() => (state.finished = true)).catch(() => undefined)
  const until = Date.now() + 5_000
  while (!state.finished && Date.now() < until) {
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event_type = 'Lock'
    `.execute(db())
    if (rows[0]!.n > 0) return
    await sleep(20)
  }
}

/** Every stored event of the ticket, opened. */
async function storedEvents(ticketNo: string) {
  const rows = await db()
    .selectFrom('hotlineInbox')
    .select(['webhookId', 'piiKeyId', 'bodySealed'])
    .where('ticketNo', '=', ticketNo)
    .execute()
  return rows.map((row) => JSON.stringify(openInboxEvent(w.t.deps.privacy.ring, row)))
}

/** Runs `action` while the worker holds the ticket, then lets the worker write the case. */
async function whileTheWorkerApplies(
  c: { ticketNo: string; complaintId: string },
  action: () => Response | Promise<Response>,
) {
  const worker = await inboxWorkerHolding(c.ticketNo, c.complaintId)
  const answer = Promise.resolve(action())
  await blockedOrFinished(answer)
  worker.proceed()
  // Neither side is failed as a deadlock's victim.
  await expect(worker.done).resolves.toBeUndefined()
  return answer
}

describe('a case action while a 12345 event of the case is being applied', () => {
  it('waits for the event: a 12345 request (退单申请) is taken, and the worker finishes', async () => {
    const c = await hotlineCase()
    const res = await whileTheWorkerApplies(c, () =>
      act(w.app, handler.headers, c.complaintId, {
        action: 'request_return',
        version: c.version,
        returnReason: '反映的是物业收费问题，不属于计量。',
        legalBasis: '《浙江省市场监督管理局职能配置》不含物业收费。',
      }),
    )
    expect(res.status).toBe(200)
    const ticket = await db()
      .selectFrom('hotlineTickets')
      .select('returnState')
      .where('ticketNo', '=', c.ticketNo)
      .executeTakeFirstOrThrow()
    expect(ticket.returnState).toBe('requested')
  })

  it('waits for the event: a correction reaches every stored work order, the applied one too', async () => {
    const c = await hotlineCase()
    const res = await whileTheWorkerApplies(c, () =>
      act(w.app, handler.headers, c.complaintId, {
        action: 'correct_contact',
        version: c.version,
        phone: '13912349876',
        note: '诉求人来电申请更正电话，已核对工单编号。',
      }),
    )
    expect(res.status).toBe(200)
    const events = await storedEvents(c.ticketNo)
    expect(events).toHaveLength(2)
    for (const event of events) expect(event).not.toContain(callerPhone)
    expect(events.some((e) => e.includes('13912349876'))).toBe(true)
  })

  it('waits for the event: an erasure at the resident’s request redacts every stored work order', async () => {
    const c = await hotlineCase()
    await db()
      .updateTable('complaints')
      .set({ status: 'closed' })
      .where('id', '=', c.complaintId)
      .execute()
    const res = await whileTheWorkerApplies(c, () =>
      act(w.app, admin.headers, c.complaintId, {
        action: 'erase_personal_data',
        version: c.version,
        note: '诉求人来电申请删除，已核对工单编号。',
      }),
    )
    expect(res.status).toBe(200)
    expect((await caseOf(w.app, admin.headers, c.complaintId)).personalDataErasure).toBe('request')
    const events = await storedEvents(c.ticketNo)
    expect(events).toHaveLength(2)
    for (const event of events) {
      expect(event).not.toContain(callerPhone)
      expect(event).not.toContain(callerName)
    }
  })
})

describe('the retention sweep while a 12345 event of a due case is being applied', () => {
  it('leaves that case for the next sweep instead of waiting, and erases it then', async () => {
    const c = await hotlineCase()
    const longAgo = new Date(Date.now() - 4 * 365 * 86_400_000)
    await db()
      .updateTable('complaints')
      .set({ status: 'closed', receivedAt: longAgo })
      .where('id', '=', c.complaintId)
      .execute()
    await db()
      .updateTable('complaintEvents')
      .set({ occurredAt: longAgo })
      .where('complaintId', '=', c.complaintId)
      .execute()
    const erasedAt = async () =>
      (
        await db()
          .selectFrom('complaints')
          .select('personalDataErasedAt')
          .where('id', '=', c.complaintId)
          .executeTakeFirstOrThrow()
      ).personalDataErasedAt

    const worker = await inboxWorkerHolding(c.ticketNo, c.complaintId)
    // Finishes while the worker still holds the ticket.
    const sweep = await Promise.race([
      erasePersonalDataPastRetention(w.t.deps),
      sleep(5_000).then(() => 'still waiting' as const),
    ])
    worker.proceed()
    await expect(worker.done).resolves.toBeUndefined()
    expect(sweep).toBe(0)
    expect(await erasedAt()).toBeNull()

    expect(await erasePersonalDataPastRetention(w.t.deps)).toBe(1)
    expect(await erasedAt()).not.toBeNull()
    for (const event of await storedEvents(c.ticketNo)) expect(event).not.toContain(callerPhone)
  })
})
