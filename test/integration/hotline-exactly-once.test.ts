import fc from 'fast-check'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { applyPendingInboxEvents } from '../../api/services/hotline/apply.ts'
import { newWebhookId } from '../../api/hotline/signature.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { dispatched, later, newTicketNo, postEvent } from '../support/hotline-inbound.ts'

let t: TestContext
let app: ReturnType<typeof createApp>
let secret: string

beforeAll(async () => {
  t = await createTestContext()
  app = createApp(t.deps)
  secret = t.deps.config.HOTLINE_WEBHOOK_SECRET!
})
afterAll(async () => {
  await t.cleanup()
})

const apply = () => applyPendingInboxEvents(t.deps)

/** Everything the events decide about a ticket's case, with the ticket number taken out. */
async function stateOf(ticketNo: string) {
  const c = await t.deps.db
    .selectFrom('hotlineTickets as h')
    .innerJoin('complaints as c', 'c.id', 'h.complaintId')
    .select(['c.id', 'c.status', 'c.dueAt', 'c.priority', 'c.closedAt', 'c.kind', 'c.category'])
    .select(['h.deadline', 'h.urgeCount', 'h.supervisedAt', 'h.returnState', 'h.extensionState'])
    .select(['h.satisfaction', 'h.lastEventAt', 'h.attachments', 'h.title', 'h.assignedAt'])
    .where('h.ticketNo', '=', ticketNo)
    .executeTakeFirst()
  if (!c) return undefined
  const { id: complaintId, ...rest } = c
  const entries = await t.deps.db
    .selectFrom('complaintEvents')
    .select(['kind', 'isPublic', 'actor', 'note', 'occurredAt'])
    .where('complaintId', '=', complaintId)
    .orderBy('occurredAt')
    .orderBy('kind')
    .orderBy('note')
    .execute()
  return {
    ...rest,
    timeline: entries.map((e) => ({ ...e, note: e.note.replaceAll(ticketNo, '<ticket>') })),
  }
}

const inboxOf = (ticketNo: string) =>
  t.deps.db
    .selectFrom('hotlineInbox')
    .select(['webhookId', 'state'])
    .where('ticketNo', '=', ticketNo)
    .execute()

describe('hotline events take effect exactly once', () => {
  it('stores and applies one event delivered five times at once exactly once', async () => {
    const ticketNo = newTicketNo()
    const id = newWebhookId()
    const deliveries = await Promise.all(
      Array.from({ length: 5 }, () => postEvent(app, secret, dispatched(ticketNo), { id })),
    )
    const answers = await Promise.all(
      deliveries.map(async (d) => [d.res.status, await d.res.text()]),
    )
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1)
    expect(answers[0]![0]).toBe(202)
    expect(deliveries.filter((d) => d.res.headers.get('idempotent-replayed'))).toHaveLength(4)

    const urge = newWebhookId()
    await Promise.all(
      Array.from({ length: 5 }, () =>
        postEvent(app, secret, later('ticket.urged', ticketNo, '2026-11-27T10:00:00+08:00'), {
          id: urge,
        }),
      ),
    )
    // Three workers at once, as three app instances would run them.
    await Promise.all([apply(), apply(), apply()])
    expect(await inboxOf(ticketNo)).toHaveLength(2)
    const state = (await stateOf(ticketNo))!
    expect(state).toMatchObject({ urgeCount: 1, priority: 1 })
    expect(state.timeline.map((e) => e.kind)).toEqual(['hotline_dispatched', 'hotline_urged'])
    const cases = await t.deps.db
      .selectFrom('hotlineTickets')
      .select('complaintId')
      .where('ticketNo', '=', ticketNo)
      .execute()
    expect(cases).toHaveLength(1)
  })

  it('lets concurrent workers apply a dispatch and its other events without losing one', async () => {
    const ticketNo = newTicketNo()
    const hours = ['10', '11', '12', '13', '14', '15']
    await Promise.all([
      postEvent(app, secret, dispatched(ticketNo)),
      ...hours.map((h) =>
        postEvent(app, secret, later('ticket.urged', ticketNo, `2026-11-27T${h}:00:00+08:00`)),
      ),
    ])
    await Promise.all([apply(), apply(), apply()])
    expect((await inboxOf(ticketNo)).every((r) => r.state === 'applied')).toBe(true)
    const state = (await stateOf(ticketNo))!
    expect(state.urgeCount).toBe(hours.length)
    expect(state.timeline).toHaveLength(hours.length + 1)
  })

  it('applies an event in the very millisecond it was stored', async () => {
    // PostgreSQL stamps the event with microseconds and the worker's clock reads milliseconds: a
    // pass in the same millisecond must take it (the property below once lost a late event so).
    const ticketNo = newTicketNo()
    const { res } = await postEvent(app, secret, dispatched(ticketNo))
    expect(res.status).toBe(202)
    await t.deps.db
      .updateTable('hotlineInbox')
      .set({ availableAt: sql<Date>`'2026-11-28T01:00:00.123456Z'::timestamptz` })
      .where('ticketNo', '=', ticketNo)
      .execute()
    const pass = (iso: string) => applyPendingInboxEvents(t.deps, { now: () => new Date(iso) })
    expect(await pass('2026-11-28T01:00:00.122Z')).toEqual([])
    const outcomes = await pass('2026-11-28T01:00:00.123Z')
    expect(outcomes).toMatchObject([{ result: 'applied', ticketNo }])
    expect(await inboxOf(ticketNo)).toMatchObject([{ state: 'applied' }])
  })

  it('ends in the ordered sequence’s state however deliveries are shuffled, repeated and delayed (property)', async () => {
    const at = (day: number, hh: string) => `2026-11-${day}T${hh}:00:00+08:00`
    /** The later events a ticket may see; each becomes one delivery with an id of its own. */
    const pool: ((ticketNo: string) => unknown)[] = [
      (no) => later('ticket.supplemented', no, at(26, '12'), { content: '补充购物小票' }),
      (no) => later('ticket.urged', no, at(27, '09'), { note: '市民来电催问' }),
      (no) => later('ticket.urged', no, at(27, '15')),
      (no) => later('ticket.supervised', no, at(28, '09')),
      (no) => later('ticket.return_decided', no, at(28, '10'), { decision: 'rejected' }),
      (no) =>
        later('ticket.extension_decided', no, at(28, '11'), {
          decision: 'approved',
          new_deadline: '2026-12-24T17:00:00+08:00',
        }),
      (no) => later('ticket.closed', no, at(29, '09')),
      (no) => later('ticket.revisited', no, at(29, '10'), { satisfaction: 'dissatisfied' }),
      (no) =>
        later('ticket.reopened', no, at(29, '11'), {
          reason: '市民不满意',
          deadline: '2026-12-20T17:00:00+08:00',
        }),
      (no) => later('ticket.closed', no, at(30, '09')),
    ]
    const deliveryPlan = fc.subarray(pool.map((_, i) => i)).chain((chosen) => {
      const events = [-1, ...chosen] // -1: the dispatch
      return fc.record({
        chosen: fc.constant(chosen),
        // Some deliveries twice (a retry with the same id), all in any order…
        order: fc
          .tuple(fc.shuffledSubarray(events, { minLength: events.length }), fc.subarray(events))
          .chain(([all, repeats]) =>
            fc.shuffledSubarray([...all, ...repeats], { minLength: all.length + repeats.length }),
          ),
        // …and the worker running after some of them only (the others wait: delayed).
        applyAfter: fc.array(fc.boolean(), { minLength: 25, maxLength: 25 }),
        workers: fc.integer({ min: 1, max: 2 }),
      })
    })

    await fc.assert(
      fc.asyncProperty(deliveryPlan, async ({ chosen, order, applyAfter, workers }) => {
        const body = (no: string, i: number) => (i < 0 ? dispatched(no) : pool[i]!(no))
        // The reference: every event once, in time order, each applied before the next comes.
        const ordered = newTicketNo()
        for (const i of [-1, ...chosen]) {
          await postEvent(app, secret, body(ordered, i))
          await apply()
        }
        const shuffled = newTicketNo()
        const ids = new Map<number, string>()
        for (const [step, i] of order.entries()) {
          if (!ids.has(i)) ids.set(i, newWebhookId())
          const { res } = await postEvent(app, secret, body(shuffled, i), { id: ids.get(i)! })
          expect(res.status).toBe(202)
          if (applyAfter[step]) await apply()
        }
        await Promise.all(Array.from({ length: workers }, apply))
        expect(await stateOf(shuffled)).toEqual(await stateOf(ordered))
        expect((await inboxOf(shuffled)).every((r) => r.state === 'applied')).toBe(true)
      }),
      { numRuns: 25 },
    )
  }, 180_000)
})
