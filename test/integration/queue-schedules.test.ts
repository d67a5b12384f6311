import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { applyTicketEvents } from '../../api/services/hotline/apply.ts'
import { createOutboxWorker } from '../../api/worker/outbox-worker.ts'
import { encryptField } from '../../api/privacy/pii.ts'
import { enqueue } from '../../db/queries/outbox.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'

/**
 * The retry schedules of the outbox and the 12345 inbox as they run, through their own code
 * paths: the times between tries, and whether a message ever goes dead. (The callbacks' schedule
 * is checked in hotline-callbacks.test.ts.)
 */

let t: TestContext

beforeAll(async () => {
  t = await createTestContext()
})
afterAll(() => t.cleanup())

describe('outbox retry schedule', () => {
  it('waits 1 s, 2 s, 4 s … doubling up to 5 min after each failure, and goes dead after the twelfth try', async () => {
    await t.deps.db
      .transaction()
      .execute((trx) =>
        enqueue(trx, [{ topic: 'test.schedule', aggregateKey: 'schedule', payload: {} }]),
      )
    const worker = createOutboxWorker({
      db: t.deps.db,
      handlers: { 'test.schedule': () => Promise.reject(new Error('receiver down')) },
      logger: t.deps.logger,
    })
    const expected = [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]
    const waited: number[] = []
    for (let attempt = 1; attempt <= 12; attempt++) {
      expect(await worker.runOnce()).toBe(1)
      const row = await t.deps.db
        .selectFrom('outbox')
        .select([
          'state',
          'attempts',
          'lastError',
          sql<number>`extract(epoch FROM available_at - now())::float8`.as('wait'),
        ])
        .where('topic', '=', 'test.schedule')
        .executeTakeFirstOrThrow()
      expect(row).toMatchObject({ attempts: attempt, lastError: 'receiver down' })
      if (attempt === 12) {
        expect(row.state).toBe('dead')
        break
      }
      expect(row.state).toBe('pending')
      waited.push(Math.round(row.wait))
      expect(await worker.runOnce()).toBe(0)
      await t.deps.db
        .updateTable('outbox')
        .set({ availableAt: sql<Date>`now()` })
        .where('topic', '=', 'test.schedule')
        .execute()
    }
    expect(waited).toEqual(expected)
    expect(await worker.runOnce()).toBe(0)
  })
})

describe('12345 inbox retry schedule', () => {
  it('retries an event that fails to apply after 1 s, 2 s, 4 s … up to an hour, and never gives it up', async () => {
    const webhookId = 'msg_scheduleFails000001'
    const ticketNo = 'LS12345-20261126-990001'
    // A stored body that no longer parses as an event: every try to apply it throws.
    const raw = JSON.stringify({ type: 'ticket.urged' })
    const sealed = encryptField(t.deps.privacy.ring, raw, `hotline_inbox:${webhookId}`)
    const start = new Date('2026-11-27T10:00:00Z')
    await t.deps.db
      .insertInto('hotlineInbox')
      .values({
        webhookId,
        webhookTimestamp: start,
        bodySha256: createHash('sha256').update(raw).digest(),
        piiKeyId: sealed.keyId,
        bodySealed: sealed.sealed,
        eventType: 'ticket.urged',
        ticketNo,
        occurredAt: start,
        state: 'pending',
        responseStatus: 202,
        responseBody: JSON.stringify({ received: true }),
        availableAt: start,
      })
      .execute()
    const row = () =>
      t.deps.db
        .selectFrom('hotlineInbox')
        .select(['state', 'attempts', 'lastError', 'availableAt'])
        .where('webhookId', '=', webhookId)
        .executeTakeFirstOrThrow()

    let now = start
    const waitedSeconds: number[] = []
    for (let failure = 1; failure <= 14; failure++) {
      const outcomes = await applyTicketEvents(t.deps, ticketNo, now)
      expect(outcomes).toMatchObject([{ webhookId, result: 'failed' }])
      const after = await row()
      expect(after).toMatchObject({ state: 'pending', attempts: failure })
      expect(after.lastError).toBeTruthy()
      waitedSeconds.push((after.availableAt.getTime() - now.getTime()) / 1000)
      // A moment early, nothing is tried.
      const early = new Date(after.availableAt.getTime() - 1)
      expect(await applyTicketEvents(t.deps, ticketNo, early)).toEqual([])
      now = after.availableAt
    }
    expect(waitedSeconds).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 3600, 3600])
  })
})
