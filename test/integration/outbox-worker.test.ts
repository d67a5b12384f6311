import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { enqueue } from '../../db/queries/outbox.ts'
import type { OutboxRow } from '../../db/database.ts'
import { createOutboxWorker } from '../../api/worker/outbox-worker.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'

let t: TestContext

beforeAll(async () => {
  t = await createTestContext()
})
afterAll(() => t.cleanup())
beforeEach(async () => {
  await t.deps.db.deleteFrom('outbox').execute()
})

async function put(messages: { topic: string; key: string; n: number }[]) {
  await t.deps.db.transaction().execute((trx) =>
    enqueue(
      trx,
      messages.map((m) => ({ topic: m.topic, aggregateKey: m.key, payload: { n: m.n } })),
    ),
  )
}

describe('outbox worker', () => {
  it('hands each message to exactly one of several concurrent workers', async () => {
    await put(Array.from({ length: 300 }, (_, n) => ({ topic: 'test.count', key: `k${n}`, n })))
    const seen: number[] = []
    const handler = async (rows: OutboxRow[]) => {
      await new Promise((r) => setTimeout(r, 5))
      for (const row of rows) seen.push((row.payload as { n: number }).n)
    }
    const workers = Array.from({ length: 4 }, () =>
      createOutboxWorker({
        db: t.deps.db,
        handlers: { 'test.count': handler },
        logger: t.deps.logger,
        batchSize: 20,
      }),
    )
    for (;;) {
      const handled = await Promise.all(workers.map((w) => w.runOnce()))
      if (handled.every((n) => n === 0)) break
    }
    expect(seen).toHaveLength(300)
    expect(new Set(seen).size).toBe(300)
  })

  it('delivers messages about one thing in the order they were written', async () => {
    await put(Array.from({ length: 20 }, (_, n) => ({ topic: 'test.order', key: 'same', n })))
    const order: number[] = []
    const workers = Array.from({ length: 3 }, () =>
      createOutboxWorker({
        db: t.deps.db,
        handlers: {
          'test.order': (rows) => {
            for (const row of rows) order.push((row.payload as { n: number }).n)
            return Promise.resolve()
          },
        },
        logger: t.deps.logger,
      }),
    )
    for (;;) {
      const handled = await Promise.all(workers.map((w) => w.runOnce()))
      if (handled.every((n) => n === 0)) break
    }
    expect(order).toEqual(Array.from({ length: 20 }, (_, n) => n))
  })

  it('retries a failing message with growing backoff, then keeps it dead with the last error', async () => {
    await put([{ topic: 'test.fail', key: 'x', n: 1 }])
    await t.deps.db.updateTable('outbox').set({ maxAttempts: 3 }).execute()
    let calls = 0
    const worker = createOutboxWorker({
      db: t.deps.db,
      handlers: {
        'test.fail': () => {
          calls += 1
          return Promise.reject(new Error(`Meilisearch unreachable #${calls}`))
        },
      },
      logger: t.deps.logger,
    })
    const gaps: number[] = []
    for (let attempt = 1; attempt <= 3; attempt++) {
      expect(await worker.runOnce()).toBe(1)
      const row = await t.deps.db
        .selectFrom('outbox')
        .select(['state', 'attempts', 'lastError', 'availableAt'])
        .executeTakeFirstOrThrow()
      expect(row.attempts).toBe(attempt)
      expect(row.lastError).toBe(`Meilisearch unreachable #${attempt}`)
      if (attempt < 3) {
        expect(row.state).toBe('pending')
        gaps.push(row.availableAt.getTime() - Date.now())
        // Not due yet: a second poll right away takes nothing.
        expect(await worker.runOnce()).toBe(0)
        await t.deps.db.updateTable('outbox').set({ availableAt: new Date() }).execute()
      } else {
        expect(row.state).toBe('dead')
      }
    }
    expect(gaps[1]!).toBeGreaterThan(gaps[0]!)
    expect(await worker.runOnce()).toBe(0)
  })

  it('gives a message back after its lease when a worker dies holding it', async () => {
    await put([{ topic: 'test.lease', key: 'y', n: 7 }])
    const crashed = createOutboxWorker({
      db: t.deps.db,
      handlers: { 'test.lease': () => new Promise<void>(() => undefined) },
      logger: t.deps.logger,
      leaseSeconds: 1,
    })
    // The first worker claims the message and never finishes (as if its process died).
    void crashed.runOnce()
    await new Promise((r) => setTimeout(r, 200))
    const received: number[] = []
    const healthy = createOutboxWorker({
      db: t.deps.db,
      handlers: {
        'test.lease': (rows) => {
          received.push(...rows.map((r) => (r.payload as { n: number }).n))
          return Promise.resolve()
        },
      },
      logger: t.deps.logger,
    })
    expect(await healthy.runOnce()).toBe(0)
    await new Promise((r) => setTimeout(r, 1_200))
    expect(await healthy.runOnce()).toBe(1)
    expect(received).toEqual([7])
  })

  it('handles a message after a quiet spell at once, and during a stream one batch per interval (2 s unless told)', async () => {
    const batches: { at: number; n: number[] }[] = []
    const worker = createOutboxWorker({
      db: t.deps.db,
      handlers: {
        'test.pace': (rows) => {
          batches.push({
            at: performance.now(),
            n: rows.map((r) => (r.payload as { n: number }).n),
          })
          return Promise.resolve()
        },
      },
      logger: t.deps.logger,
      databaseUrl: t.databaseUrl,
      // Polling alone would take a minute: only the LISTEN wake-up can be quick.
      pollIntervalMs: 60_000,
      // No minBatchIntervalMs: the default is what the product runs with.
    })
    worker.start()
    try {
      await new Promise((r) => setTimeout(r, 300)) // listening
      const until = async (count: number) => {
        const deadline = Date.now() + 10_000
        while (batches.flatMap((b) => b.n).length < count && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 10))
      }
      const quietSent = performance.now()
      await put([{ topic: 'test.pace', key: 'p0', n: 0 }])
      await until(1)
      expect(batches).toHaveLength(1)
      expect(batches[0]!.at - quietSent).toBeLessThan(5_000)

      // Five messages while the worker is in its interval: they wait, and go as one batch.
      for (let n = 1; n <= 5; n++) {
        await put([{ topic: 'test.pace', key: `p${n}`, n }])
      }
      await until(6)
      expect(batches.map((b) => b.n)).toEqual([[0], [1, 2, 3, 4, 5]])
      // The interval runs from the start of one pass to the next; a handler is called after its
      // pass has claimed the rows, which takes a few milliseconds more or less each time.
      expect(batches[1]!.at - batches[0]!.at).toBeGreaterThanOrEqual(1_900)
    } finally {
      await worker.stop()
    }
  })
})
