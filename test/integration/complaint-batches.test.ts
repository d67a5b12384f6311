import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { createIntakeBatcher } from '../../api/services/complaints/intake-batcher.ts'
import { applyEnterpriseRecords } from '../../api/services/enterprises/apply.ts'
import type { AtomicIntake } from '../../db/queries/complaints.ts'
import { generateDemoRecords } from '../../scripts/demo/generate.ts'
import { postReport } from '../support/complaints.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'

let t: TestContext
const business = generateDemoRecords(3)[0]!
let serial = 0

/** A valid intake as the service builds it (a 举报, no personal data); tests change what they need. */
function intake(overrides: Partial<AtomicIntake> = {}): AtomicIntake {
  const n = ++serial
  const receivedAt = new Date()
  return {
    row: {
      trackingNo: `JL20261127-${String(90000 + n)}`,
      queryCodeHash: randomBytes(32),
      kind: 'report',
      category: 'short_weight',
      countyCode: '331102',
      merchantName: `批量测试摊位 ${n}`,
      merchantUscc: null,
      enterpriseUscc: null,
      address: '莲都区批量测试菜场',
      occurredAt: receivedAt,
      description: `批量测试第 ${n} 份。`,
      piiKeyId: null,
      nameSealed: null,
      phoneSealed: null,
      phoneHash: null,
      receivedAt,
      dueAt: new Date(receivedAt.getTime() + 7 * 86_400_000),
    },
    merchantUscc: null,
    event: { kind: 'received', note: '已收到。', actor: 'citizen' },
    photos: [],
    limits: [],
    idempotency: {
      scope: 'complaint',
      key: `batch-test-${n}-${randomBytes(6).toString('hex')}`,
      requestHash: randomBytes(32),
      piiKeyId: 'test',
      responseSealed: randomBytes(16),
    },
    ...overrides,
  }
}

/**
 * A batcher that sends one call at a time: the first intake goes alone, and everything filed while
 * it runs waits and goes together in the next call.
 */
async function fileBehindOne(intakes: AtomicIntake[]) {
  const batcher = createIntakeBatcher(t.deps.db, { maxBatch: 64, maxInFlight: 1 })
  const first = batcher.file(intake())
  const rest = intakes.map((i) => batcher.file(i).catch((error: unknown) => error))
  await first
  return Promise.all(rest)
}

const stored = (trackingNos: string[]) =>
  t.deps.db
    .selectFrom('complaints')
    .select(['id', 'trackingNo', 'createdAt', 'enterpriseUscc'])
    .where('trackingNo', 'in', trackingNos)
    .execute()

beforeAll(async () => {
  t = await createTestContext({
    env: { COMPLAINT_LIMIT_PER_ADDRESS: '1000', COMPLAINT_LIMIT_PER_PHONE: '1000' },
  })
  await applyEnterpriseRecords({
    ctx: t.deps,
    input: { records: [business], source: 'test', today: '2026-11-26' },
  })
})
afterAll(() => t.cleanup())

describe('complaint intake in batches', () => {
  it('files the complaints that waited in one transaction and answers each with its own id', async () => {
    const batch = Array.from({ length: 10 }, () => intake())
    const outcomes = await fileBehindOne(batch)

    const rows = await stored(batch.map((i) => i.row.trackingNo))
    expect(rows).toHaveLength(10)
    // now() is the transaction's start: one value means one transaction, one commit.
    expect(new Set(rows.map((r) => r.createdAt.getTime())).size).toBe(1)
    for (const [i, outcome] of outcomes.entries()) {
      const row = rows.find((r) => r.trackingNo === batch[i]!.row.trackingNo)!
      expect(outcome).toEqual({ filed: true, id: row.id })
    }
    const messages = await t.deps.db
      .selectFrom('outbox')
      .select('aggregateKey')
      .where(
        'aggregateKey',
        'in',
        rows.map((r) => `complaint:${r.id}`),
      )
      .execute()
    expect(messages).toHaveLength(10)
    const events = await t.deps.db
      .selectFrom('complaintEvents')
      .select('complaintId')
      .where(
        'complaintId',
        'in',
        rows.map((r) => r.id),
      )
      .execute()
    expect(events).toHaveLength(10)
  })

  it('files a key repeated inside one batch once and answers the repeat as a duplicate', async () => {
    const first = intake()
    const repeat = intake({ idempotency: { ...first.idempotency } })
    const outcomes = await fileBehindOne([first, intake(), repeat])

    expect(outcomes[0]).toMatchObject({ filed: true })
    expect(outcomes[1]).toMatchObject({ filed: true })
    expect(outcomes[2]).toEqual({ filed: false, duplicate: true })
    expect(await stored([first.row.trackingNo, repeat.row.trackingNo])).toHaveLength(1)
  })

  it('refuses only the complaints over a limit, keeps their count, and frees their keys', async () => {
    const windowStart = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000)
    const bucket = `complaint:phone:batch-test-${randomBytes(4).toString('hex')}`
    const limited = () => intake({ limits: [{ bucket, windowStart, max: 2 }] })
    const batch = [limited(), intake(), limited(), limited(), limited()]
    const outcomes = await fileBehindOne(batch)

    expect(outcomes.map((o) => (o as { filed: boolean }).filed)).toEqual([
      true,
      true,
      true,
      false,
      false,
    ])
    expect(outcomes[3]).toEqual({ filed: false, refusedBy: bucket })
    const hits = await t.deps.db
      .selectFrom('rateLimitHits')
      .select('hits')
      .where('bucket', '=', bucket)
      .executeTakeFirstOrThrow()
    expect(hits.hits).toBe(4)
    // A refused complaint holds no key: the same submission can be filed once the window passes.
    const keys = await t.deps.db
      .selectFrom('idempotencyKeys')
      .select('key')
      .where(
        'key',
        'in',
        batch.map((i) => i.idempotency.key),
      )
      .execute()
    expect(keys.map((k) => k.key).sort()).toEqual(
      [batch[0]!, batch[1]!, batch[2]!].map((i) => i.idempotency.key).sort(),
    )
  })

  it('files a burst in batches side by side, each complaint once, and its limit holds exactly', async () => {
    const windowStart = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000)
    const bucket = `complaint:addr:batch-test-${randomBytes(4).toString('hex')}`
    // Small batches and a second one beside the first as soon as 4 wait, as a burst sends them.
    const batcher = createIntakeBatcher(t.deps.db, {
      maxBatch: 8,
      maxInFlight: 2,
      minBatchBeside: 4,
    })
    const burst = Array.from({ length: 40 }, () =>
      intake({ limits: [{ bucket, windowStart, max: 25 }] }),
    )
    const outcomes = await Promise.all(burst.map((i) => batcher.file(i)))

    const filed = outcomes.filter((o) => o.filed)
    expect(filed).toHaveLength(25)
    expect(outcomes.filter((o) => !o.filed)).toEqual(
      Array.from({ length: 15 }, () => ({ filed: false, refusedBy: bucket })),
    )
    const rows = await stored(burst.map((i) => i.row.trackingNo))
    expect(rows.map((r) => r.id).sort()).toEqual(filed.map((o) => (o as { id: string }).id).sort())
    // More than one transaction: the burst did not go as one batch.
    expect(new Set(rows.map((r) => r.createdAt.getTime())).size).toBeGreaterThan(1)
    const hits = await t.deps.db
      .selectFrom('rateLimitHits')
      .select('hits')
      .where('bucket', '=', bucket)
      .executeTakeFirstOrThrow()
    expect(hits.hits).toBe(40)
    const messages = await t.deps.db
      .selectFrom('outbox')
      .select('aggregateKey')
      .where(
        'aggregateKey',
        'in',
        rows.map((r) => `complaint:${r.id}`),
      )
      .execute()
    expect(messages).toHaveLength(25)
  })

  it('fails only the complaint the database rejects; the rest of its batch is filed', async () => {
    const bad = intake()
    bad.row.trackingNo = 'not-a-tracking-number'
    const good = [intake(), intake()]
    const outcomes = await fileBehindOne([good[0]!, bad, good[1]!])

    expect(outcomes[0]).toMatchObject({ filed: true })
    expect(outcomes[1]).toBeInstanceOf(Error)
    expect((outcomes[1] as Error).message).toMatch(/complaints_tracking_no_check/)
    expect(outcomes[2]).toMatchObject({ filed: true })
    expect(await stored(good.map((i) => i.row.trackingNo))).toHaveLength(2)
    const badKey = await t.deps.db
      .selectFrom('idempotencyKeys')
      .select('key')
      .where('key', '=', bad.idempotency.key)
      .execute()
    expect(badKey).toHaveLength(0)
  })

  it('answers a complaint whose tracking number is taken as such, gives back its key and hits, and files the rest', async () => {
    const windowStart = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000)
    const bucket = `complaint:addr:batch-test-${randomBytes(4).toString('hex')}`
    const counted = (overrides: Partial<AtomicIntake> = {}) => {
      const i = intake({ limits: [{ bucket, windowStart, max: 100 }], ...overrides })
      i.row.merchantUscc = i.merchantUscc
      return i
    }
    const [earlier] = await fileBehindOne([intake()])
    expect(earlier).toMatchObject({ filed: true })
    const takenNo = (await stored([`JL20261127-${String(90000 + serial)}`]))[0]!.trackingNo
    const before = await t.deps.db
      .selectFrom('enterprises')
      .select('complaintCount')
      .where('uscc', '=', business.uscc)
      .executeTakeFirstOrThrow()

    const first = counted()
    // The same number drawn twice in one batch, and a number a stored complaint already has.
    const twin = counted()
    twin.row.trackingNo = first.row.trackingNo
    const clash = counted({ merchantUscc: business.uscc })
    clash.row.trackingNo = takenNo
    clash.row.merchantUscc = business.uscc
    const last = counted()
    const outcomes = await fileBehindOne([first, twin, clash, last])

    // Of the twins, whichever the insert reached first is filed.
    const taken = { filed: false, trackingNoTaken: true }
    const [won, lost] = (outcomes[0] as { filed: boolean }).filed ? [first, twin] : [twin, first]
    expect([outcomes[0], outcomes[1]]).toContainEqual(taken)
    expect([outcomes[0], outcomes[1]]).toContainEqual(expect.objectContaining({ filed: true }))
    expect(outcomes[2]).toEqual(taken)
    expect(outcomes[3]).toMatchObject({ filed: true })
    const rows = await stored([first.row.trackingNo, takenNo, last.row.trackingNo])
    expect(rows).toHaveLength(3)
    expect(rows.find((r) => r.trackingNo === takenNo)!.enterpriseUscc).toBeNull()
    // Only the two filed complaints hold a key and a hit; the business the clash names is not
    // counted, so filing it again under a new number counts it once.
    const keys = await t.deps.db
      .selectFrom('idempotencyKeys')
      .select('key')
      .where(
        'key',
        'in',
        [first, twin, clash, last].map((i) => i.idempotency.key),
      )
      .execute()
    expect(keys.map((k) => k.key).sort()).toEqual(
      [won.idempotency.key, last.idempotency.key].sort(),
    )
    expect(keys.map((k) => k.key)).not.toContain(lost.idempotency.key)
    const hits = await t.deps.db
      .selectFrom('rateLimitHits')
      .select('hits')
      .where('bucket', '=', bucket)
      .executeTakeFirstOrThrow()
    expect(hits.hits).toBe(2)
    const after = await t.deps.db
      .selectFrom('enterprises')
      .select('complaintCount')
      .where('uscc', '=', business.uscc)
      .executeTakeFirstOrThrow()
    expect(after.complaintCount).toBe(before.complaintCount)
  })

  it('links and counts every complaint naming a certified business', async () => {
    const before = await t.deps.db
      .selectFrom('enterprises')
      .select('complaintCount')
      .where('uscc', '=', business.uscc)
      .executeTakeFirstOrThrow()
    const naming = () => {
      const i = intake({ merchantUscc: business.uscc })
      i.row.merchantUscc = business.uscc
      return i
    }
    const batch = [naming(), intake(), naming()]
    await fileBehindOne(batch)

    const after = await t.deps.db
      .selectFrom('enterprises')
      .select('complaintCount')
      .where('uscc', '=', business.uscc)
      .executeTakeFirstOrThrow()
    expect(after.complaintCount).toBe(before.complaintCount + 2)
    const rows = await stored(batch.map((i) => i.row.trackingNo))
    expect(rows.filter((r) => r.enterpriseUscc === business.uscc)).toHaveLength(2)
  })

  it('answers concurrent posts through the app, each with its own receipt', async () => {
    const app = createApp(t.deps)
    const responses = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => postReport(app, '并发测试', i + 1)),
    )
    expect(responses.map((r) => r.status)).toEqual(responses.map(() => 201))
    const receipts = (await Promise.all(responses.map((r) => r.json()))) as {
      trackingNo: string
    }[]
    const rows = await stored(receipts.map((r) => r.trackingNo))
    expect(rows).toHaveLength(30)
    // More than one complaint per transaction: the posts were batched.
    expect(new Set(rows.map((r) => r.createdAt.getTime())).size).toBeLessThan(30)
  })
})
