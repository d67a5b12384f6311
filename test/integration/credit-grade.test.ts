import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { creditRecomputeTopic } from '../../api/domain/credit.ts'
import { applyEnterpriseRecords } from '../../api/services/enterprises/apply.ts'
import { gradeBusinesses, regradeAgedOut, regradeAll } from '../../api/services/credit/grade.ts'
import { enterpriseChangedTopic } from '../../api/search/enterprise-indexer.ts'
import { outboxHandlers } from '../../api/worker/index.ts'
import { createOutboxWorker } from '../../api/worker/outbox-worker.ts'
import { gradeOf, gradesOf, lockGrades } from '../../db/queries/credit-grades.ts'
import { enqueueCreditRecompute, ensureMarketEntity } from '../../db/queries/credit-record.ts'
import { generateDemoRecords } from '../../scripts/demo/generate.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'

/**
 * The stored credit grade (api/services/credit/grade.ts): recomputed from the record within
 * seconds of a change through the outbox, kept with its history, swept when an item ages out.
 */
let t: TestContext
const records = generateDemoRecords(3, 22)
const [certified, other, third] = records.map((r) => r.uscc) as [string, string, string]
const stall = '91331102MA2HXXXX0A'
const today = '2026-12-06'

beforeAll(async () => {
  t = await createTestContext()
  await applyEnterpriseRecords({ ctx: t.deps, input: { records, source: 'test', today } })
  await t.deps.db.transaction().execute((trx) =>
    ensureMarketEntity(trx, {
      uscc: stall,
      name: '无名水果摊',
      countyCode: '331102',
      sectorCode: 'market',
    }),
  )
  await t.deps.db.deleteFrom('outbox').execute()
})
afterAll(() => t.cleanup())

let serial = 0
/** A closed 查实 (or `finding`) report naming `uscc` as the merchant, closed on `closedOn` (Beijing noon). */
async function substantiatedCase(uscc: string, closedOn: string, finding = 'substantiated') {
  serial += 1
  await sql`
    INSERT INTO complaints (tracking_no, query_code_hash, kind, category, county_code,
      merchant_name, merchant_uscc, address, occurred_at, description, received_at, due_at,
      status, accepted_at, resolved_at, closed_at, finding, follow_up)
    VALUES (${`JL20260101-${String(90000 + serial)}`}, ${randomBytes(32)}, 'report',
      'short_weight', '331102', '测试商户', ${uscc}, '测试地址', '2026-01-01T02:00:00Z',
      '测试举报内容', '2026-01-01T02:00:00Z', '2026-01-20T02:00:00Z', 'closed',
      '2026-01-02T02:00:00Z', ${`${closedOn}T04:00:00Z`}, ${`${closedOn}T04:00:00Z`},
      ${finding}, 'ordered')
  `.execute(t.deps.db)
}

async function penalty(uscc: string, decidedOn: string, publishUntil: string, no: string) {
  await t.deps.db
    .insertInto('penalties')
    .values({
      uscc,
      countyCode: '331102',
      decisionNo: no,
      decidedOn,
      kind: 'fine',
      violation: '使用不合格计量器具',
      penalty: '罚款 3000 元',
      legalBasis: '《计量法》第二十六条',
      publishedAt: new Date(`${decidedOn}T08:00:00Z`),
      publishUntil,
    })
    .execute()
}

async function historyOf(uscc: string) {
  return t.deps.db
    .selectFrom('creditGradeHistory')
    .select(['grade', 'reasons', 'ruleVersion'])
    .where('uscc', '=', uscc)
    .orderBy('id')
    .execute()
}

async function outboxTopics(uscc: string) {
  const rows = await t.deps.db
    .selectFrom('outbox')
    .select(['topic', 'aggregateKey'])
    .where('aggregateKey', 'like', `%${uscc}`)
    .execute()
  return rows.map((r) => r.topic)
}

/** Runs a worker that only grades until nothing is left, as the background thread would. */
async function drainCreditRecomputes() {
  const worker = createOutboxWorker({
    db: t.deps.db,
    handlers: { [creditRecomputeTopic]: outboxHandlers(t.deps)[creditRecomputeTopic]! },
    logger: t.deps.logger,
  })
  while ((await worker.runOnce()) > 0);
}

describe('the stored credit grade', () => {
  it('grades a business within one outbox pass of a change, keeps its history and tells search', async () => {
    await substantiatedCase(stall, '2026-10-09')
    await substantiatedCase(stall, '2026-11-20')
    await t.deps.db.transaction().execute((trx) => enqueueCreditRecompute(trx, [stall], 'test'))
    const started = Date.now()
    await drainCreditRecomputes()
    expect(Date.now() - started).toBeLessThan(5_000)

    const grade = await gradeOf(t.deps.db, stall)
    expect(grade).toMatchObject({
      grade: 'C',
      ruleVersion: '2026.1',
      reasons: ['近 24 个月内 2 起投诉查实（计 4 分）'],
    })
    expect(grade!.nextAgeOut).toMatch(/^2028-10-0[89]$/)
    expect(grade!.nextAgeOutNote).toBe(
      `${Number(grade!.nextAgeOut!.slice(0, 4))} 年 10 月 ${Number(grade!.nextAgeOut!.slice(8))} 日起，2026 年 10 月的投诉查实不再计入`,
    )
    expect(await historyOf(stall)).toEqual([
      { grade: 'C', reasons: ['近 24 个月内 2 起投诉查实（计 4 分）'], ruleVersion: '2026.1' },
    ])
    // B (no row) → C: the search document and the static pages are asked to follow.
    expect(await outboxTopics(stall)).toEqual([enterpriseChangedTopic])
  })

  it('writes nothing when nothing changed, and history only when the grade or reasons did', async () => {
    await t.deps.db.deleteFrom('outbox').execute()
    const before = await gradeOf(t.deps.db, stall)
    const again = await gradeBusinesses(t.deps, { usccs: [stall, stall], today, source: 'test' })
    expect(again).toEqual({ graded: 1, written: 0, gradeChanged: 0 })
    expect((await gradeOf(t.deps.db, stall))!.computedAt).toEqual(before!.computedAt)

    // A case found partly true: still C, new reasons; a history row, but no search message.
    await substantiatedCase(stall, '2026-11-30', 'partly_substantiated')
    const changed = await gradeBusinesses(t.deps, { usccs: [stall], today, source: 'test' })
    expect(changed).toEqual({ graded: 1, written: 1, gradeChanged: 0 })
    expect((await historyOf(stall)).map((h) => [h.grade, h.reasons.join('；')])).toEqual([
      ['C', '近 24 个月内 2 起投诉查实（计 4 分）'],
      ['C', '近 24 个月内 2 起投诉查实（计 4 分）；近 24 个月内 1 起投诉部分查实（计 1 分）'],
    ])
    expect(await outboxTopics(stall)).toEqual([])
    expect((await gradeOf(t.deps.db, stall))!.grade).toBe('C')
  })

  it('waits while another grading holds the business, then reads the record after it', async () => {
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    let locked!: () => void
    const isLocked = new Promise<void>((resolve) => (locked = resolve))
    // Another worker (or the sweep) grading the same business at this moment.
    const holder = t.deps.db.transaction().execute(async (trx) => {
      await lockGrades(trx, [other])
      locked()
      await held
    })
    await isLocked
    let finished = false
    const grading = gradeBusinesses(t.deps, { usccs: [other], today, source: 'test' }).then(
      (outcome) => {
        finished = true
        return outcome
      },
    )
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(finished).toBe(false)
    // A change committed while it waits is in what it reads once the other is done.
    await penalty(other, '2026-06-01', '2027-06-01', '丽市监罚〔2026〕901号')
    release()
    await holder
    expect(await grading).toMatchObject({ written: 1, gradeChanged: 1 })
    expect((await gradeOf(t.deps.db, other))!.grade).toBe('C')

    const runs = await Promise.all(
      Array.from({ length: 4 }, () =>
        gradeBusinesses(t.deps, { usccs: [other, certified], today, source: 'test' }),
      ),
    )
    expect(runs.reduce((n, r) => n + r.written, 0)).toBe(1)
    expect(await historyOf(other)).toHaveLength(1)
  })

  it('regrades at the sweep the businesses whose next item has aged out (信用修复), and only them', async () => {
    // A fine decided 2025-03-01 counts until 2027-03-01.
    await penalty(third, '2025-03-01', '2028-03-01', '丽市监罚〔2025〕902号')
    await gradeBusinesses(t.deps, { usccs: [third], today, source: 'test' })
    expect(await gradeOf(t.deps.db, third)).toMatchObject({
      grade: 'C',
      nextAgeOut: '2027-03-01',
      nextAgeOutNote: '2027 年 3 月 1 日起，2025 年 3 月的行政处罚不再计入',
    })

    // The day before, nothing is due.
    expect(await regradeAgedOut(t.deps, '2027-02-28')).toBe(0)
    const untouched = await gradeOf(t.deps.db, other)
    const historyBefore = (await historyOf(third)).length

    expect(await regradeAgedOut(t.deps, '2027-03-01')).toBe(1)
    expect(await gradeOf(t.deps.db, third)).toMatchObject({
      grade: 'B',
      nextAgeOut: null,
      nextAgeOutNote: null,
    })
    expect((await gradeOf(t.deps.db, third))!.reasons).toContain(
      '近 24 个月内无专项检查、投诉查实或行政处罚记录',
    )
    expect(await historyOf(third)).toHaveLength(historyBefore + 1)
    expect(await gradeOf(t.deps.db, other)).toEqual(untouched)
    expect(await regradeAgedOut(t.deps, '2027-03-01')).toBe(0)
  })

  it('regrades every business, certified or market entity, reporting progress', async () => {
    const progress: [number, number][] = []
    const outcome = await regradeAll(t.deps, {
      today,
      onProgress: (done, total) => progress.push([done, total]),
    })
    expect(outcome.total).toBe(4)
    expect(progress.at(-1)).toEqual([4, 4])
    const grades = await gradesOf(t.deps.db, [certified, other, third, stall])
    expect([...grades.keys()].sort()).toEqual([certified, other, third, stall].sort())
    expect(grades.get(third)!.grade).toBe('C')
    expect(grades.get(stall)!.grade).toBe('C')
    expect(await gradeOf(t.deps.db, '91331102MA2HXXXX1B')).toBeUndefined()
  })

  it('regrades a business when its certification changes', async () => {
    await t.deps.db.deleteFrom('outbox').execute()
    await applyEnterpriseRecords({
      ctx: t.deps,
      input: {
        records: [{ ...records[0]!, status: 'revoked' }],
        source: 'test',
        today,
      },
    })
    await drainCreditRecomputes()
    expect((await gradeOf(t.deps.db, certified))!.reasons[0]).toBe(
      '诚信计量单位认定已撤销（计 2 分）',
    )
  })
})
