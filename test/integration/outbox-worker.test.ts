import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { claimDue, enqueue, renewLease } from '../../db/queries/outbox.ts'
import type { OutboxRow } from '../../db/database.ts'
import { createOutboxWorker } from '../../api/worker/outbox-worker.ts'
import { holdLease } from '../../api/services/shared/lease.ts'
import { outboxPolicy, workLeaseSeconds } from '../../api/services/shared/queue-policy.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'

const root = path.resolve(import.meta.dirname, '../..')
let t: TestContext
const children: ChildProcess[] = []

beforeAll(async () => {
  t = await createTestContext()
})
afterAll(() => t.cleanup())
afterEach(async () => {
  for (const child of children.splice(0)) await kill(child)
})
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function until(done: () => boolean, ms: number) {
  const deadline = Date.now() + ms
  while (!done() && Date.now() < deadline) await sleep(50)
}

/**
 * Starts a worker process (support/outbox-claimer-child.ts) that claims the due `test.lease`
 * messages and works on them until killed; answers once it holds them, with their ids.
 */
async function startClaimer(env: Record<string, string>) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/support/outbox-claimer-child.ts'],
    {
      cwd: root,
      env: { ...process.env, DATABASE_URL: t.databaseUrl, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  children.push(child)
  let out = ''
  let err = ''
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()))
  const claimed = await new Promise<string[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no claim within 30 s: ${err}`)), 30_000)
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const ids = /claimed (\S+)\n/.exec(out)?.[1]
      if (ids === undefined) return
      clearTimeout(timer)
      resolve(ids.split(','))
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`the claimer exited (${code}) before claiming: ${err}`))
    })
  })
  return { child, claimed }
}

/** SIGKILL, as a replica dies when its machine or the OOM killer ends it: no cleanup at all. */
async function kill(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGKILL')
  await exited
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

  it('keeps a batch whose handling outlasts its lease from a second worker, by renewing it', async () => {
    await put([{ topic: 'test.slow', key: 's', n: 1 }])
    let finish!: () => void
    const done = new Promise<void>((resolve) => (finish = resolve))
    let calls = 0
    const worker = (handle: () => Promise<void>) =>
      createOutboxWorker({
        db: t.deps.db,
        handlers: {
          'test.slow': () => {
            calls += 1
            return handle()
          },
        },
        logger: t.deps.logger,
        leaseSeconds: 1,
      })
    const slow = worker(() => done)
    const second = worker(() => Promise.resolve())
    const handling = slow.runOnce()
    // Three leases long: unrenewed, the message would be the second worker's after one second.
    for (let i = 0; i < 6; i++) {
      await sleep(500)
      expect(await second.runOnce()).toBe(0)
    }
    const row = await t.deps.db
      .selectFrom('outbox')
      .select(['attempts', 'availableAt'])
      .executeTakeFirstOrThrow()
    expect(row.attempts).toBe(1)
    expect(row.availableAt.getTime()).toBeGreaterThan(Date.now())
    finish()
    expect(await handling).toBe(1)
    expect(calls).toBe(1)
    expect(await t.deps.db.selectFrom('outbox').select('id').execute()).toEqual([])
  })

  it('gives the messages of a worker process killed mid-batch to another within a lease', async () => {
    await put([1, 2, 3].map((n) => ({ topic: 'test.lease', key: `d${n}`, n })))
    const { child, claimed } = await startClaimer({ LEASE_SECONDS: '2' })
    expect(claimed).toHaveLength(3)
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
      leaseSeconds: 2,
    })
    // Alive, the claimer keeps its batch past two of its leases: its renewals hold it.
    for (let i = 0; i < 3; i++) {
      await sleep(1_500)
      expect(await healthy.runOnce()).toBe(0)
    }
    await kill(child)
    const killedAt = Date.now()
    healthy.start()
    try {
      await until(() => received.length === 3, 10_000)
    } finally {
      await healthy.stop()
    }
    // Due at most one lease (2 s) after the last renewal; the healthy worker polls each second.
    expect(Date.now() - killedAt).toBeLessThan(4_500)
    expect(received.sort()).toEqual([1, 2, 3])
    expect(await t.deps.db.selectFrom('outbox').select('id').execute()).toEqual([])
  }, 30_000)

  it('finishes the work of a worker process killed mid-batch within 30 s, with the product lease', async () => {
    expect(outboxPolicy.leaseSeconds).toBeLessThanOrEqual(workLeaseSeconds)
    await put([{ topic: 'test.lease', key: 'real', n: 9 }])
    const { child } = await startClaimer({})
    await kill(child)
    const killedAt = Date.now()
    const received: number[] = []
    // The product's worker as it runs: its lease, its polling.
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
    healthy.start()
    try {
      await until(() => received.length > 0, 40_000)
    } finally {
      await healthy.stop()
    }
    expect(received).toEqual([9])
    expect(Date.now() - killedAt).toBeLessThan(30_000)
  }, 60_000)

  it('stops renewing a batch another worker took once its lease ran out, leaving that one alone', async () => {
    await put([{ topic: 'test.taken', key: 't', n: 1 }])
    const [first] = await claimDue(t.deps.db, {
      limit: 10,
      leaseSeconds: 1,
      topics: ['test.taken'],
    })
    // The first worker's renewals stall (a paused process, a slow database) until let go.
    let letGo!: () => void
    const stalled = new Promise<void>((resolve) => (letGo = resolve))
    let renewals = 0
    const lease = holdLease({
      claims: [{ key: first!.id, attempts: first!.attempts }],
      leaseSeconds: 1,
      renew: async (claims) => {
        renewals += 1
        await stalled
        return renewLease(t.deps.db, claims, 1)
      },
      logger: t.deps.logger,
    })
    await sleep(1_300)
    const [second] = await claimDue(t.deps.db, {
      limit: 10,
      leaseSeconds: 60,
      topics: ['test.taken'],
    })
    expect(second).toMatchObject({ id: first!.id, attempts: 2 })
    letGo()
    await until(() => lease.held().length === 0, 5_000)
    await sleep(600)
    await lease.release()
    // One late renewal, which found the row no longer its own; none after it.
    expect(renewals).toBe(1)
    const row = await t.deps.db
      .selectFrom('outbox')
      .select(['attempts', 'availableAt'])
      .executeTakeFirstOrThrow()
    expect(row).toEqual({ attempts: 2, availableAt: second!.availableAt })
    expect(t.logLines.join('\n')).toContain('another worker took these rows')
  })

  it('lets a batch go to another worker once its work outlasts the hold limit, presumed stuck', async () => {
    await put([{ topic: 'test.stuck', key: 'h', n: 1 }])
    const claim = () => claimDue(t.deps.db, { limit: 10, leaseSeconds: 1, topics: ['test.stuck'] })
    const [first] = await claim()
    const lease = holdLease({
      claims: [{ key: first!.id, attempts: first!.attempts }],
      leaseSeconds: 1,
      renew: (claims) => renewLease(t.deps.db, claims, 1),
      logger: t.deps.logger,
      holdLimitSeconds: 2,
    })
    try {
      // Renewed past its first lease…
      await sleep(1_500)
      expect(await claim()).toEqual([])
      // …until the hold limit; one lease later it is due again.
      await until(() => !lease.held().includes(first!.id), 5_000)
      await sleep(1_100)
      expect(await claim()).toMatchObject([{ id: first!.id, attempts: 2 }])
    } finally {
      await lease.release()
    }
    expect(t.logLines.join('\n')).toContain('outlasted the hold limit')
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
