import {
  CamelCasePlugin,
  Kysely,
  PostgresDialect,
  sql,
  type Generated,
  type Transaction,
} from 'kysely'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  afterFailure,
  backoffDelayMs,
  type QueuePolicy,
} from '../../api/services/shared/queue-policy.ts'
import { createPool } from '../../db/client.ts'
import {
  claimDue,
  claimForTransaction,
  countByState,
  markDone,
  nextDueAt,
  recordFailure,
  renewLease,
  retryByHand,
  type Queue,
} from '../../db/queries/queue.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'

/**
 * The shared queue itself (db/queries/queue.ts with the policy of queue-policy.ts), on a table of
 * its own made here, so that what it promises holds for any queue built on it, not only for the
 * three that use it today.
 */

interface ScratchTable {
  id: Generated<string>
  grp: string
  state: Generated<'pending' | 'done' | 'dead'>
  attempts: Generated<number>
  dueAt: Generated<Date>
  lastAttemptAt: Date | null
  lastError: string | null
  deadAt: Date | null
}
interface ScratchDatabase {
  queueScratch: ScratchTable
}

const scratch: Queue<ScratchDatabase, 'queueScratch'> = {
  table: 'queueScratch',
  key: 'id',
  dueAt: 'dueAt',
  pending: 'pending',
  dead: 'dead',
  lastAttemptAt: 'lastAttemptAt',
  deadAt: 'deadAt',
  errorChars: 20,
}
/** The same table, a group's rows one at a time; any row not done holds back the later ones. */
const inOrder: Queue<ScratchDatabase, 'queueScratch'> = {
  ...scratch,
  inOrderOf: { column: 'grp', heldBackBy: { stateNot: 'done' } },
}

const policy: QueuePolicy = {
  backoff: { kind: 'doubling', firstMs: 2_000, capMs: 60_000 },
  jitter: 0,
  maxAttempts: 5,
  leaseSeconds: 30,
}

const columns = ['id', 'grp', 'state', 'attempts', 'dueAt'] as const

let t: TestContext
let db: Kysely<ScratchDatabase>
const t0 = new Date('2026-12-06T02:00:00.000Z')
const at = (ms: number) => new Date(t0.getTime() + ms)

beforeAll(async () => {
  t = await createTestContext()
  db = new Kysely<ScratchDatabase>({
    dialect: new PostgresDialect({
      pool: createPool({ connectionString: t.databaseUrl, max: 10 }),
    }),
    plugins: [new CamelCasePlugin()],
  })
  await sql`
    CREATE TABLE queue_scratch (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      grp text NOT NULL,
      state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'dead')),
      attempts int NOT NULL DEFAULT 0,
      due_at timestamptz NOT NULL DEFAULT now(),
      last_attempt_at timestamptz,
      last_error text,
      dead_at timestamptz
    )
  `.execute(db)
})
afterAll(async () => {
  await db.destroy()
  await t.cleanup()
})
beforeEach(async () => {
  await sql`TRUNCATE queue_scratch`.execute(db)
})

async function put(groups: readonly string[], dueAt = t0): Promise<string[]> {
  const rows = await db
    .insertInto('queueScratch')
    .values(groups.map((grp) => ({ grp, dueAt })))
    .returning('id')
    .execute()
  return rows.map((r) => r.id)
}

const row = (id: string) =>
  db.selectFrom('queueScratch').selectAll().where('id', '=', id).executeTakeFirstOrThrow()

const claim = (now: Date, limit = 10, queue = scratch) =>
  claimDue(db, queue, { now, limit, leaseSeconds: policy.leaseSeconds!, columns, orderBy: ['id'] })

describe('shared queue', () => {
  it('never hands one row to two claimers, however many claim at once', async () => {
    const ids = await put(Array.from({ length: 600 }, (_, i) => `g${i}`))
    const taken: string[] = []
    const claimer = async () => {
      for (;;) {
        const rows = await claim(at(0), 7)
        if (rows.length === 0) return
        taken.push(...rows.map((r) => r.id))
      }
    }
    await Promise.all(Array.from({ length: 10 }, claimer))
    expect(taken).toHaveLength(ids.length)
    expect(new Set(taken)).toEqual(new Set(ids))
    const attempts = await db.selectFrom('queueScratch').select('attempts').distinct().execute()
    expect(attempts).toEqual([{ attempts: 1 }])
  })

  it('claims only due rows, oldest first, counts the try and leases the row', async () => {
    const [early, late] = await put(['a', 'b'])
    await db
      .updateTable('queueScratch')
      .set({ dueAt: at(5_000) })
      .where('id', '=', late!)
      .execute()
    const claimed = await claim(at(0))
    expect(claimed).toEqual([
      { id: early, grp: 'a', state: 'pending', attempts: 1, dueAt: at(30_000) },
    ])
    expect((await row(early!)).lastAttemptAt).toEqual(at(0))
    expect((await claim(at(5_000))).map((r) => r.id)).toEqual([late])
  })

  it('gives a row back once its lease has run out, and only then', async () => {
    const [id] = await put(['a'])
    expect(await claim(at(0))).toHaveLength(1)
    // The claimer died: the row is its own until the lease ends.
    expect(await claim(at(29_999))).toEqual([])
    const again = await claim(at(30_000))
    expect(again).toMatchObject([{ id, attempts: 2 }])
  })

  it('keeps a row from other claimers while its lease is renewed, never bringing it due sooner', async () => {
    const [id] = await put(['a'])
    const [claimed] = await claim(at(0))
    const held = { key: id!, attempts: claimed!.attempts }
    const renew = (now: Date) => renewLease(db, scratch, [held], { leaseSeconds: 30, now })
    expect(await renew(at(20_000))).toEqual([id])
    expect((await row(id!)).dueAt).toEqual(at(50_000))
    // Past the first lease: still held.
    expect(await claim(at(30_000))).toEqual([])
    // A renewal stamped with an earlier clock (another replica's, slightly behind) keeps the later time.
    expect(await renew(at(10_000))).toEqual([id])
    expect((await row(id!)).dueAt).toEqual(at(50_000))
    // The worker stopped renewing (it died): due one lease after its last renewal.
    expect(await claim(at(49_999))).toEqual([])
    expect(await claim(at(50_000))).toMatchObject([{ id, attempts: 2 }])
  })

  it('never renews a row another worker claimed since, nor one whose outcome is recorded', async () => {
    const [id, other] = await put(['a', 'b'])
    const [first] = await claim(at(0), 1)
    const [second] = await claim(at(30_000), 1)
    expect(second).toMatchObject({ id, attempts: 2, dueAt: at(60_000) })
    // The first claimer's renewal comes late: the row is the second's now.
    const late = { key: id!, attempts: first!.attempts }
    expect(await renewLease(db, scratch, [late], { leaseSeconds: 30, now: at(45_000) })).toEqual([])
    expect(await row(id!)).toMatchObject({ attempts: 2, dueAt: at(60_000) })

    const [third] = await claim(at(0), 1, scratch)
    expect(third!.id).toBe(other)
    const done = { key: other!, attempts: third!.attempts }
    expect(await markDone(db, scratch, done, { state: 'done' })).toBe(true)
    expect(await renewLease(db, scratch, [done], { leaseSeconds: 30, now: at(10_000) })).toEqual([])
    expect((await row(other!)).dueAt).toEqual(at(30_000))
  })

  it('lets only the claim that holds a row record its outcome', async () => {
    const [id] = await put(['a'])
    const [first] = await claim(at(0))
    const [second] = await claim(at(30_000))
    const stale = { key: id!, attempts: first!.attempts }
    const failure = { error: 'late', outcome: afterFailure(policy, 1), at: at(31_000) }
    expect(await recordFailure(db, scratch, stale, failure)).toBe(false)
    expect(await markDone(db, scratch, stale, { state: 'done' })).toBe(false)
    expect(await row(id!)).toMatchObject({ state: 'pending', attempts: 2, lastError: null })
    expect(
      await markDone(db, scratch, { key: id!, attempts: second!.attempts }, { state: 'done' }),
    ).toBe(true)
    expect((await row(id!)).state).toBe('done')
  })

  it('makes a failed row due again after the backoff schedule, then dead after the last try', async () => {
    const [id] = await put(['a'])
    let now = at(0)
    const waits: number[] = []
    for (let attempt = 1; attempt <= policy.maxAttempts!; attempt++) {
      const [claimed] = await claim(now)
      expect(claimed).toMatchObject({ id, attempts: attempt })
      const outcome = afterFailure(policy, claimed!.attempts)
      const error = `receiver down, try ${attempt} of ${policy.maxAttempts}`
      expect(
        await recordFailure(
          db,
          scratch,
          { key: id!, attempts: attempt },
          { error, outcome, at: now },
        ),
      ).toBe(true)
      const after = await row(id!)
      expect(after.lastError).toBe(error.slice(0, scratch.errorChars))
      if (outcome.dead) break
      expect(after.state).toBe('pending')
      waits.push(after.dueAt.getTime() - now.getTime())
      // A moment early, nothing is due.
      expect(await claim(new Date(after.dueAt.getTime() - 1))).toEqual([])
      now = after.dueAt
    }
    expect(waits).toEqual([1, 2, 3, 4].map((n) => backoffDelayMs(policy, n)))
    expect(waits).toEqual([2_000, 4_000, 8_000, 16_000])
    const dead = await row(id!)
    expect(dead).toMatchObject({ state: 'dead', attempts: 5, deadAt: now })
    // Dead rows wait for a person, whatever the clock says.
    expect(await claim(at(86_400_000 * 365))).toEqual([])
    expect(await countByState(db, scratch)).toEqual({ dead: 1 })
  })

  it('sends a dead row back by hand: due at once, its tries counted afresh', async () => {
    const [id, alive] = await put(['a', 'b'])
    await db
      .updateTable('queueScratch')
      .set({ state: 'dead', attempts: 5 })
      .where('id', '=', id!)
      .execute()
    expect(await retryByHand(db, scratch, alive!, { at: at(60_000), columns })).toBeUndefined()
    const revived = await retryByHand(db, scratch, id!, { at: at(60_000), columns })
    expect(revived).toEqual({ id, grp: 'a', state: 'pending', attempts: 0, dueAt: at(60_000) })
    expect(await retryByHand(db, scratch, id!, { at: at(60_000), columns })).toBeUndefined()
    expect(await claim(at(59_999), 10)).toMatchObject([{ id: alive }])
    expect(await claim(at(60_000))).toMatchObject([{ id, attempts: 1 }])
    expect(await countByState(db, scratch)).toEqual({ pending: 2 })
  })

  it('hands out the rows of one group one at a time, in order, held back by a dead one', async () => {
    const [a1, a2, b1] = await put(['a', 'a', 'b'])
    expect((await claim(at(0), 10, inOrder)).map((r) => r.id)).toEqual([a1, b1])
    expect(await nextDueAt(db, inOrder)).toEqual(at(30_000))
    await markDone(db, inOrder, { key: b1!, attempts: 1 }, { state: 'done' })
    await recordFailure(
      db,
      inOrder,
      { key: a1!, attempts: 1 },
      {
        error: 'gone',
        outcome: { dead: true },
        at: at(1_000),
      },
    )
    // a2 is due, but a1 before it is dead, so a2 waits for a person to retry a1.
    expect(await claim(at(60_000), 10, inOrder)).toEqual([])
    expect(await nextDueAt(db, inOrder)).toBeUndefined()
    // Without the order, a2 is just due.
    expect((await claim(at(60_000))).map((r) => r.id)).toEqual([a2])
  })

  it('takes rows for a transaction with their row locks as the lease', async () => {
    const [a1, a2] = await put(['a', 'a'])
    await put(['b'])
    const takeA = (trx: Transaction<ScratchDatabase>) =>
      claimForTransaction(trx, scratch, {
        now: at(0),
        match: { grp: 'a' },
        columns: ['id'],
        orderBy: ['id'],
      })
    await db.transaction().execute(async (first) => {
      expect(await takeA(first)).toEqual([{ id: a1 }, { id: a2 }])
      // Another transaction skips what this one holds, without waiting.
      await db.transaction().execute(async (second) => {
        expect(await takeA(second)).toEqual([])
      })
    })
    // The first transaction ended (as a crashed one would): the rows are there to take again,
    // and the claim itself counted no try.
    await db.transaction().execute(async (trx) => {
      expect(await takeA(trx)).toHaveLength(2)
    })
    expect(await row(a1!)).toMatchObject({ attempts: 0, state: 'pending' })
  })

  it('counts a try when it fails, for a queue claimed by transaction', async () => {
    const [id] = await put(['a'])
    const outcome = afterFailure(policy, 1)
    await recordFailure(
      db,
      scratch,
      { key: id!, attempts: 0 },
      {
        error: 'boom',
        outcome,
        at: at(0),
        countAttempt: true,
      },
    )
    expect(await row(id!)).toMatchObject({ attempts: 1, state: 'pending', dueAt: at(2_000) })
  })
})
