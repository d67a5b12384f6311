import { sql } from 'kysely'
import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { deliverDueCallbacks, startCallbackDelivery } from '../../api/services/hotline/delivery.ts'
import {
  callbackMaxAttempts as maxAttempts,
  callbackRetryDelaysMs as retryDelaysMs,
} from '../../api/services/shared/queue-policy.ts'
import { hotlineCallbackSchema } from '../../api/services/hotline/events.ts'
import { generateWebhookSecret } from '../../api/hotline/signature.ts'
import { createReceiver, insertHotlineCase, type Receiver } from '../support/hotline.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { signedInOperator, type TestOperator } from '../support/operators.ts'

/**
 * Callbacks to the 12345 hotline (the hotline issue, acceptance 3): signed as Standard Webhooks,
 * checked here with the official `standardwebhooks` package; retried on its schedule while the
 * receiver is down; delivered in order per ticket; dead after the tenth try until a city_admin
 * retries. The delivery function takes `now`, so hours of schedule pass in a moment.
 */

const callbackSecret = generateWebhookSecret()
let receiver: Receiver
let t: TestContext
let app: ReturnType<typeof createApp>
let handler: TestOperator
let admin: TestOperator
let verifier: Webhook

interface Delivered {
  webhookId: string
  type: string
  ticketNo: string
}

/** What the receiver accepted, each verified by the official library first. */
const verifiedDeliveries = (): Delivered[] =>
  receiver.received.map((r) => {
    const headers = {
      'webhook-id': String(r.headers['webhook-id']),
      'webhook-timestamp': String(r.headers['webhook-timestamp']),
      'webhook-signature': String(r.headers['webhook-signature']),
    }
    const payload = hotlineCallbackSchema.parse(verifier.verify(r.body, headers))
    return { webhookId: headers['webhook-id'], type: payload.type, ticketNo: payload.ticket_no }
  })

const act = async (id: string, body: Record<string, unknown>) => {
  const version = (
    await t.deps.db
      .selectFrom('complaints')
      .select('version')
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
  ).version
  const res = await app.request(`/api/admin/cases/${id}/actions`, {
    method: 'POST',
    headers: { ...handler.headers, 'content-type': 'application/json' },
    body: JSON.stringify({ version, ...body }),
  })
  expect(res.status, await res.clone().text()).toBe(200)
}

const sign = (id: string) => act(id, { action: 'sign' })
const progress = (id: string, note: string) => act(id, { action: 'report_progress', note })

const callbacksOf = (ticketNo: string) =>
  t.deps.db
    .selectFrom('hotlineCallbacks')
    .selectAll()
    .where('ticketNo', '=', ticketNo)
    .orderBy('id')
    .execute()

const at = (base: Date, ms: number) => new Date(base.getTime() + ms)

beforeAll(async () => {
  receiver = await createReceiver()
  t = await createTestContext({
    env: { HOTLINE_CALLBACK_URL: receiver.url, HOTLINE_CALLBACK_SECRET: callbackSecret },
  })
  app = createApp(t.deps)
  handler = await signedInOperator(t.deps, 'county_handler', '331102')
  admin = await signedInOperator(t.deps, 'city_admin')
  verifier = new Webhook(callbackSecret)
})

afterAll(async () => {
  await receiver.stop()
  await t.cleanup()
})

beforeEach(async () => {
  await receiver.start().catch(() => undefined)
  receiver.received.length = 0
  receiver.answer = () => 204
  receiver.delayMs = 0
  // Each test starts with nothing left in the queue by the one before.
  await t.deps.db.deleteFrom('hotlineCallbacks').execute()
})

describe('callback delivery', () => {
  it('sends a signed callback the official standardwebhooks library verifies', async () => {
    const c = await insertHotlineCase(t.deps.db)
    await sign(c.id)
    expect(await deliverDueCallbacks(t.deps)).toEqual({ delivered: 1, failed: 0 })
    const [delivered] = verifiedDeliveries()
    const [row] = await callbacksOf(c.ticketNo)
    expect(delivered).toEqual({
      webhookId: row!.webhookId,
      type: 'ticket.signed',
      ticketNo: c.ticketNo,
    })
    expect(JSON.parse(receiver.received[0]!.body)).toEqual({
      type: 'ticket.signed',
      occurred_at: expect.stringMatching(/\+08:00$/) as unknown,
      ticket_no: c.ticketNo,
      detail: { handler_unit: '莲都区市场监督管理局' },
    })
    expect(row).toMatchObject({ state: 'delivered', attempts: 1, lastStatus: 204 })
    // A tampered body fails the same check.
    const tampered = receiver.received[0]!
    expect(() =>
      verifier.verify(tampered.body.replace('signed', 'completed'), {
        'webhook-id': String(tampered.headers['webhook-id']),
        'webhook-timestamp': String(tampered.headers['webhook-timestamp']),
        'webhook-signature': String(tampered.headers['webhook-signature']),
      }),
    ).toThrow()
  })

  it('sends a callback in the very millisecond it became due', async () => {
    // PostgreSQL keeps microseconds, the clock passed in milliseconds: the same millisecond is due.
    const c = await insertHotlineCase(t.deps.db)
    await sign(c.id)
    await t.deps.db
      .updateTable('hotlineCallbacks')
      .set({ nextAttemptAt: sql<Date>`'2026-11-28T01:00:00.123456Z'::timestamptz` })
      .where('ticketNo', '=', c.ticketNo)
      .execute()
    const due = new Date('2026-11-28T01:00:00.123Z')
    expect(await deliverDueCallbacks(t.deps, { now: at(due, -1) })).toEqual({
      delivered: 0,
      failed: 0,
    })
    expect(await deliverDueCallbacks(t.deps, { now: due })).toEqual({ delivered: 1, failed: 0 })
  })

  it('retries on the Standard Webhooks schedule while the receiver is down, parks the callback as dead after the tenth try, and a city_admin retry delivers it', async () => {
    const c = await insertHotlineCase(t.deps.db)
    await sign(c.id)
    await progress(c.id, '已联系商户，约定明天现场复秤。')
    await receiver.stop()

    const [first] = await callbacksOf(c.ticketNo)
    let now = new Date(Date.now() + 1000)
    // First try: at once. Then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h.
    expect(await deliverDueCallbacks(t.deps, { now })).toEqual({ delivered: 0, failed: 1 })
    for (let attempt = 1; attempt < maxAttempts; attempt++) {
      const delay = retryDelaysMs[attempt - 1]!
      const [row] = await callbacksOf(c.ticketNo)
      expect(row).toMatchObject({ state: 'pending', attempts: attempt, lastStatus: null })
      expect(row!.nextAttemptAt.getTime()).toBe(at(now, delay).getTime())
      expect(row!.lastError).toContain('ECONNREFUSED')
      // A moment early: nothing is tried.
      expect(await deliverDueCallbacks(t.deps, { now: at(now, delay - 1) })).toEqual({
        delivered: 0,
        failed: 0,
      })
      now = at(now, delay)
      expect(await deliverDueCallbacks(t.deps, { now })).toEqual({ delivered: 0, failed: 1 })
    }
    const [dead, waiting] = await callbacksOf(c.ticketNo)
    expect(dead).toMatchObject({ id: first!.id, state: 'dead', attempts: maxAttempts })
    // The progress note never went out: it waits behind the dead one, even a day later.
    expect(waiting).toMatchObject({ state: 'pending', attempts: 0 })
    expect(await deliverDueCallbacks(t.deps, { now: at(now, 7 * 86_400_000) })).toEqual({
      delivered: 0,
      failed: 0,
    })

    // Only a city_admin may retry.
    const refused = await app.request(`/api/admin/hotline/callbacks/${dead!.id}/retry`, {
      method: 'POST',
      headers: handler.headers,
    })
    expect(refused.status).toBe(403)
    const listed = await app.request('/api/admin/hotline/callbacks/dead', {
      headers: admin.headers,
    })
    const items = ((await listed.json()) as { items: { id: string; trackingNo: string }[] }).items
    expect(items.map((i) => i.id)).toEqual([dead!.id])
    expect(items[0]!.trackingNo).toBe(c.trackingNo)

    await receiver.start()
    const retried = await app.request(`/api/admin/hotline/callbacks/${dead!.id}/retry`, {
      method: 'POST',
      headers: admin.headers,
    })
    expect(retried.status).toBe(200)
    const fresh = (await callbacksOf(c.ticketNo))[0]!
    expect(fresh).toMatchObject({ state: 'pending', attempts: 0, webhookId: first!.webhookId })

    expect(await deliverDueCallbacks(t.deps)).toEqual({ delivered: 2, failed: 0 })
    expect(verifiedDeliveries()).toEqual([
      { webhookId: first!.webhookId, type: 'ticket.signed', ticketNo: c.ticketNo },
      { webhookId: waiting!.webhookId, type: 'ticket.progress', ticketNo: c.ticketNo },
    ])
    const again = await app.request(`/api/admin/hotline/callbacks/${dead!.id}/retry`, {
      method: 'POST',
      headers: admin.headers,
    })
    expect(again.status).toBe(409)

    const audit = await t.deps.db
      .selectFrom('auditLog')
      .select(['action', 'username', 'detail'])
      .where('action', 'like', 'hotline.callback%')
      .execute()
    expect(audit).toContainEqual({
      action: 'hotline.callbacks_viewed',
      username: admin.operator.username,
      detail: { count: 1 },
    })
    expect(audit).toContainEqual({
      action: 'hotline.callback_retried',
      username: admin.operator.username,
      detail: expect.objectContaining({
        callbackId: dead!.id,
        webhookId: first!.webhookId,
      }) as unknown,
    })
  })

  it('delivers a ticket’s callbacks in order when the receiver comes back', async () => {
    const c = await insertHotlineCase(t.deps.db)
    await sign(c.id)
    await progress(c.id, '已到现场复秤。')
    await progress(c.id, '商户已退还差价。')
    await receiver.stop()
    const now = new Date(Date.now() + 1000)
    expect(await deliverDueCallbacks(t.deps, { now })).toEqual({ delivered: 0, failed: 1 })
    // Only the first was tried; the others wait their turn.
    expect((await callbacksOf(c.ticketNo)).map((r) => r.attempts)).toEqual([1, 0, 0])

    await receiver.start()
    expect(await deliverDueCallbacks(t.deps, { now: at(now, 4_000) })).toEqual({
      delivered: 0,
      failed: 0,
    })
    expect(await deliverDueCallbacks(t.deps, { now: at(now, 5_000) })).toEqual({
      delivered: 3,
      failed: 0,
    })
    const rows = await callbacksOf(c.ticketNo)
    expect(verifiedDeliveries()).toEqual(
      rows.map((r) => ({ webhookId: r.webhookId, type: r.eventType, ticketNo: c.ticketNo })),
    )
    expect(rows.map((r) => r.eventType)).toEqual([
      'ticket.signed',
      'ticket.progress',
      'ticket.progress',
    ])
    expect(rows.every((r) => r.state === 'delivered')).toBe(true)
  })

  it('sends the same webhook-id on every retry of one callback', async () => {
    const c = await insertHotlineCase(t.deps.db)
    await sign(c.id)
    let calls = 0
    receiver.answer = () => (++calls <= 2 ? 503 : 200)
    let now = new Date(Date.now() + 1000)
    await deliverDueCallbacks(t.deps, { now })
    const [row] = await callbacksOf(c.ticketNo)
    expect(row).toMatchObject({ state: 'pending', lastStatus: 503 })
    expect(row!.lastError).toContain('HTTP 503')
    now = at(now, retryDelaysMs[0])
    await deliverDueCallbacks(t.deps, { now })
    now = at(now, retryDelaysMs[1])
    await deliverDueCallbacks(t.deps, { now })
    expect(receiver.received).toHaveLength(3)
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id']))).toEqual(
      new Set([row!.webhookId]),
    )
    expect((await callbacksOf(c.ticketNo))[0]).toMatchObject({ state: 'delivered', attempts: 3 })
  })

  it('keeps a callback the hotline is slow to answer from other workers past its lease, so it is sent once', async () => {
    const c = await insertHotlineCase(t.deps.db)
    await sign(c.id)
    receiver.delayMs = 3_000
    // A lease of one second, renewed while the request waits for its answer.
    const sending = deliverDueCallbacks(t.deps, {
      now: new Date(Date.now() + 1000),
      leaseSeconds: 1,
    })
    for (const wait of [1_200, 800, 700]) {
      await new Promise((resolve) => setTimeout(resolve, wait))
      expect(await deliverDueCallbacks(t.deps, { now: new Date(), leaseSeconds: 1 })).toEqual({
        delivered: 0,
        failed: 0,
      })
    }
    expect(await sending).toEqual({ delivered: 1, failed: 0 })
    expect(receiver.received).toHaveLength(1)
    expect((await callbacksOf(c.ticketNo))[0]).toMatchObject({ state: 'delivered', attempts: 1 })
  })

  it('holds a ticket’s later callbacks behind an earlier undelivered one, without holding up another ticket', async () => {
    const stuck = await insertHotlineCase(t.deps.db)
    const other = await insertHotlineCase(t.deps.db)
    await sign(stuck.id)
    await progress(stuck.id, '正在核查。')
    await sign(other.id)
    await progress(other.id, '正在核查。')
    // The hotline refuses everything about the first ticket.
    receiver.answer = (r) => (r.body.includes(stuck.ticketNo) ? 500 : 204)

    expect(await deliverDueCallbacks(t.deps)).toEqual({ delivered: 2, failed: 1 })
    expect(verifiedDeliveries()).toEqual([
      expect.objectContaining({ type: 'ticket.signed', ticketNo: stuck.ticketNo }),
      expect.objectContaining({ type: 'ticket.signed', ticketNo: other.ticketNo }),
      expect.objectContaining({ type: 'ticket.progress', ticketNo: other.ticketNo }),
    ])
    expect((await callbacksOf(stuck.ticketNo)).map((r) => [r.state, r.attempts])).toEqual([
      ['pending', 1],
      ['pending', 0],
    ])
  })

  it('keeps callbacks queued while HOTLINE_CALLBACK_URL is unset, and says so on the case', async () => {
    const c = await insertHotlineCase(t.deps.db)
    await sign(c.id)
    const unset = { ...t.deps, hotline: { ...t.deps.hotline, callbackUrl: undefined } }
    expect(await deliverDueCallbacks(unset)).toEqual({ delivered: 0, failed: 0 })
    expect(receiver.received).toHaveLength(0)
    expect((await callbacksOf(c.ticketNo))[0]).toMatchObject({ state: 'pending', attempts: 0 })
    const view = await createApp(unset).request(`/api/admin/cases/${c.id}`, {
      headers: handler.headers,
    })
    const hotline = ((await view.json()) as { hotline: Record<string, unknown> }).hotline
    expect(hotline).toMatchObject({ ticketNo: c.ticketNo, callbackUrlConfigured: false })
  })

  it('wakes the delivery loop when an action queues a callback', async () => {
    const loop = startCallbackDelivery(t.deps, { databaseUrl: t.databaseUrl })
    try {
      const c = await insertHotlineCase(t.deps.db)
      // Give LISTEN a moment to be in place, so the wake-up and not the poll is what delivers.
      await new Promise((r) => setTimeout(r, 300))
      await sign(c.id)
      const deadline = Date.now() + 10_000
      while (receiver.received.length === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50))
      }
      expect(verifiedDeliveries()).toEqual([
        expect.objectContaining({ type: 'ticket.signed', ticketNo: c.ticketNo }),
      ])
    } finally {
      await loop.stop()
    }
  })
})
