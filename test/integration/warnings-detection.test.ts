import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { handlerNoticeTopic, type HandlerNotice } from '../../api/services/notifications/notice.ts'
import { detectWarnings, sweepWarnings } from '../../api/services/warnings/detection.ts'
import { createPacedDetection } from '../../api/services/warnings/paced.ts'
import { complaintChangedTopic } from '../../api/search/complaint-indexer.ts'
import { outboxHandlers, runBackgroundWork } from '../../api/worker/index.ts'
import { createOutboxWorker } from '../../api/worker/outbox-worker.ts'
import { generateScenario, replayScenario } from '../../bench/warnings-replay.ts'
import { casesOfWarning } from '../../db/queries/warnings-console.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { insertHotlineCase } from '../support/hotline.ts'

let t: TestContext
let app: ReturnType<typeof createApp>
const hour = 3600_000

beforeAll(async () => {
  t = await createTestContext({ env: { COMPLAINT_LIMIT_PER_ADDRESS: '1000' } })
  app = createApp(t.deps)
})
afterAll(() => t.cleanup())

/** The resident values of this file: none may reach a warning, a notice or a log line. */
const resident = {
  name: '欧阳翠花',
  phone: '13957801234',
  description: '在摊位买了两斤带鱼回家复秤只有一斤七两，摊主态度恶劣。',
}

function fileComplaint(merchantName: string, address: string, n: number) {
  return app.request(
    '/api/complaints',
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        kind: 'complaint',
        category: 'short_weight',
        county: '331123',
        merchantName,
        address,
        occurredAt: '2026-11-25T08:30',
        description: resident.description,
        name: resident.name,
        phone: resident.phone,
        consent: true,
      }),
    },
    { clientAddress: `198.51.100.${n}` },
  )
}

/** Runs the outbox's complaint handler, as the worker would, until no complaint message is left. */
async function drainComplaintMessages() {
  const worker = createOutboxWorker({
    db: t.deps.db,
    handlers: { [complaintChangedTopic]: outboxHandlers(t.deps)[complaintChangedTopic]! },
    logger: t.deps.logger,
  })
  while ((await worker.runOnce()) > 0);
}

async function insertReport(values: {
  county: string
  merchantName: string
  address: string
  at: Date
  category?: 'short_weight' | 'fuel_dispenser' | 'taxi_meter'
}) {
  const row = await t.deps.db
    .insertInto('complaints')
    .values({
      trackingNo: `JL20261201-${String(randomBytes(4).readUInt32BE(0)).padStart(10, '0')}`,
      queryCodeHash: randomBytes(32),
      kind: 'report',
      category: values.category ?? 'short_weight',
      countyCode: values.county,
      merchantName: values.merchantName,
      address: values.address,
      occurredAt: values.at,
      description: '复秤分量不足。',
      receivedAt: values.at,
      dueAt: new Date(values.at.getTime() + 15 * 24 * hour),
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

const noticesOf = async (warningId: string) => {
  const rows = await t.deps.db
    .selectFrom('outbox')
    .select('payload')
    .where('topic', '=', handlerNoticeTopic)
    .execute()
  return rows
    .map((r) => r.payload as HandlerNotice)
    .filter((n) => n.data['warningId'] === warningId)
}

describe('early-warning detection', () => {
  it('warns of three complaints about one stall filed through the API, naming no resident', async () => {
    for (let n = 1; n <= 3; n++) {
      const res = await fileComplaint('妙高农贸市场 12 号摊位', '遂昌县妙高农贸市场 12 号', n)
      expect(res.status).toBe(201)
    }
    await drainComplaintMessages()

    const warning = await t.deps.db
      .selectFrom('warnings')
      .selectAll()
      .where('subjectKind', '=', 'business')
      .where('subjectLabel', '=', '妙高农贸市场 12 号摊位')
      .executeTakeFirstOrThrow()
    expect(warning).toMatchObject({
      countyCode: '331123',
      state: 'open',
      rule: 'baseline',
      windowCount: 3,
      windowHours: 48,
    })
    expect(await casesOfWarning(t.deps.db, warning.id)).toHaveLength(3)

    const notices = await noticesOf(warning.id)
    expect(notices).toHaveLength(1)
    expect(notices[0]).toMatchObject({
      countyCode: '331123',
      type: 'warning.opened',
      key: `warning:${warning.id}:opened`,
    })
    expect(notices[0]!.text).toContain('妙高农贸市场 12 号摊位')
    expect(notices[0]!.text).toContain('48 小时收到 3 件')
    expect(notices[0]!.text).toContain(`${t.deps.config.SITE_URL}/admin/warnings/${warning.id}`)

    // The market's cluster warns too, to the same county.
    const all = await t.deps.db.selectFrom('warnings').selectAll().execute()
    expect(all.map((w) => w.subjectLabel)).toContain('遂昌县妙高农贸市场')

    const everything = JSON.stringify({
      warnings: all,
      notices: await t.deps.db.selectFrom('outbox').select('payload').execute(),
      logs: t.logLines,
    })
    expect(t.logLines.some((l) => l.includes('warning opened'))).toBe(true)
    for (const value of Object.values(resident)) expect(everything).not.toContain(value)
  })

  it('joins new cases to the open warning, telling handlers again only when severity rises', async () => {
    const at = new Date('2026-03-02T02:00:00Z')
    const place = {
      county: '331124',
      merchantName: '西屏水果店',
      address: '松阳县西屏街道长松路 3 号',
    }
    const ids: string[] = []
    for (let i = 0; i < 3; i++) {
      ids.push(await insertReport({ ...place, at: new Date(at.getTime() + i * hour) }))
    }
    const first = await detectWarnings(t.deps, ids, new Date(at.getTime() + 3 * hour))
    // Business and street cluster.
    expect(first.opened).toHaveLength(2)
    // Delivered again (a retried batch): nothing new.
    expect(await detectWarnings(t.deps, ids, new Date(at.getTime() + 3 * hour))).toEqual({
      opened: [],
      escalated: [],
    })
    const business = await t.deps.db
      .selectFrom('warnings')
      .selectAll()
      .where('subjectLabel', '=', '西屏水果店')
      .executeTakeFirstOrThrow()
    expect(business.severity).toBe(1)

    const fourth = await insertReport({ ...place, at: new Date(at.getTime() + 4 * hour) })
    expect(await detectWarnings(t.deps, [fourth], new Date(at.getTime() + 4 * hour))).toEqual({
      opened: [],
      escalated: [],
    })
    for (let i = 5; i < 7; i++) {
      const id = await insertReport({ ...place, at: new Date(at.getTime() + i * hour) })
      await detectWarnings(t.deps, [id], new Date(at.getTime() + i * hour))
    }
    const grown = await t.deps.db
      .selectFrom('warnings')
      .selectAll()
      .where('id', '=', business.id)
      .executeTakeFirstOrThrow()
    expect(grown).toMatchObject({ severity: 2, windowCount: 6, state: 'open' })
    expect(grown.lastCaseAt).toEqual(new Date(at.getTime() + 6 * hour))
    expect(await casesOfWarning(t.deps.db, business.id)).toHaveLength(6)
    const notices = await noticesOf(business.id)
    expect(notices.map((n) => n.type)).toEqual(['warning.opened', 'warning.escalated'])
  })

  it('opens one warning when two workers judge the same burst at once', async () => {
    const at = new Date('2026-04-06T02:00:00Z')
    const place = { county: '331125', merchantName: '浮云粮油店', address: '云和县浮云街道' }
    const ids: string[] = []
    for (let i = 0; i < 3; i++)
      ids.push(await insertReport({ ...place, at: new Date(at.getTime() + i * 60_000) }))
    const now = new Date(at.getTime() + hour)
    const [a, b] = await Promise.all([
      detectWarnings(t.deps, ids, now),
      detectWarnings(t.deps, ids, now),
    ])
    expect([...a.opened, ...b.opened]).toHaveLength(1)
    const warnings = await t.deps.db
      .selectFrom('warnings')
      .select('id')
      .where('subjectLabel', '=', '浮云粮油店')
      .execute()
    expect(warnings).toHaveLength(1)
    expect(await noticesOf(warnings[0]!.id)).toHaveLength(1)
  })

  it('fires on a fixed threshold the bureau set, below the statistical rule', async () => {
    await t.deps.db
      .insertInto('warningThresholds')
      .values({
        subjectKind: 'county_category',
        countyCode: '331126',
        windowHours: 24,
        minCount: 2,
        severity: 2,
      })
      .execute()
    const at = new Date('2026-05-04T02:00:00Z')
    const a = await insertReport({
      county: '331126',
      merchantName: '甲加油站',
      address: '庆元县某乡',
      at,
      category: 'fuel_dispenser',
    })
    const b = await insertReport({
      county: '331126',
      merchantName: '乙加油站',
      address: '庆元县另一乡',
      at: new Date(at.getTime() + hour),
      category: 'fuel_dispenser',
    })
    await detectWarnings(t.deps, [a, b], new Date(at.getTime() + 2 * hour))
    const warning = await t.deps.db
      .selectFrom('warnings')
      .selectAll()
      .where('subjectKind', '=', 'county_category')
      .where('subjectKey', '=', '331126:fuel_dispenser')
      .executeTakeFirstOrThrow()
    expect(warning).toMatchObject({
      rule: 'threshold',
      severity: 2,
      windowHours: 24,
      windowCount: 2,
    })
    expect(warning.subjectLabel).toBe('庆元县·加油机计量')
  })

  it("applies a county's threshold instead of the city's, for that county only", async () => {
    // City-wide: two complaints about a taxi meter in a county's category fire; 缙云县 asks for 20.
    const rows = await t.deps.db
      .insertInto('warningThresholds')
      .values([
        {
          subjectKind: 'county_category',
          countyCode: null,
          windowHours: 24,
          minCount: 2,
          severity: 1,
        },
        {
          subjectKind: 'county_category',
          countyCode: '331122',
          windowHours: 24,
          minCount: 20,
          severity: 1,
        },
      ])
      .returning('id')
      .execute()
    const at = new Date('2026-06-08T02:00:00Z')
    const filed = []
    for (const [n, county] of ['331122', '331122', '331124', '331124'].entries()) {
      filed.push(
        await insertReport({
          county,
          merchantName: `出租车 ${n}`,
          address: `某路 ${n} 号`,
          at: new Date(at.getTime() + n * 60_000),
          category: 'taxi_meter',
        }),
      )
    }
    await detectWarnings(t.deps, filed, new Date(at.getTime() + hour))
    const fired = await t.deps.db
      .selectFrom('warnings')
      .select(['subjectKey', 'rule'])
      .where('subjectKind', '=', 'county_category')
      .where('subjectKey', 'in', ['331122:taxi_meter', '331124:taxi_meter'])
      .execute()
    expect(fired).toEqual([{ subjectKey: '331124:taxi_meter', rule: 'threshold' }])
    await t.deps.db
      .deleteFrom('warningThresholds')
      .where(
        'id',
        'in',
        rows.map((r) => r.id),
      )
      .execute()
  })

  it('warns of a 12345 ticket urged twice, found by the sweep', async () => {
    const hotline = await insertHotlineCase(t.deps.db, { county: '331127' })
    await t.deps.db
      .updateTable('hotlineTickets')
      .set({ urgeCount: 2, lastEventAt: new Date() })
      .where('ticketNo', '=', hotline.ticketNo)
      .execute()
    await sweepWarnings(t.deps, new Date())
    const warning = await t.deps.db
      .selectFrom('warnings')
      .selectAll()
      .where('subjectKind', '=', 'hotline_ticket')
      .where('subjectKey', '=', hotline.ticketNo)
      .executeTakeFirstOrThrow()
    expect(warning).toMatchObject({ rule: 'urged', severity: 1, countyCode: '331127' })
    const notices = await noticesOf(warning.id)
    expect(notices[0]!.text).toContain('已被催办 2 次')
  })

  it('sweeps with the background work: a supervised ticket warns without any new complaint', async () => {
    const hotline = await insertHotlineCase(t.deps.db, { county: '331181' })
    await t.deps.db
      .updateTable('hotlineTickets')
      .set({ supervisedAt: new Date(), lastEventAt: new Date() })
      .where('ticketNo', '=', hotline.ticketNo)
      .execute()
    const work = runBackgroundWork({ deps: t.deps, databaseUrl: t.databaseUrl })
    try {
      const warning = () =>
        t.deps.db
          .selectFrom('warnings')
          .selectAll()
          .where('subjectKey', '=', hotline.ticketNo)
          .executeTakeFirst()
      for (let i = 0; i < 100 && !(await warning()); i++) {
        await new Promise((r) => setTimeout(r, 100))
      }
      expect(await warning()).toMatchObject({ rule: 'urged', severity: 2, countyCode: '331181' })
    } finally {
      await work.stop()
    }
  })
})

describe('when the warning check fails', () => {
  it('still indexes and completes the batch, and the sweep catches up', async () => {
    const at = new Date()
    const place = {
      county: '331127',
      merchantName: '故障测试水果摊',
      address: '景宁县鹤溪菜市场 5 号',
    }
    const ids: string[] = []
    for (let i = 0; i < 3; i++) {
      ids.push(await insertReport({ ...place, at: new Date(at.getTime() - (3 - i) * 60_000) }))
    }
    const rows = ids.map((id, n) => ({
      id: String(900_000 + n),
      topic: complaintChangedTopic,
      aggregateKey: `complaint:${id}`,
      payload: { complaintId: id },
      state: 'pending' as const,
      attempts: 0,
      maxAttempts: 12,
      availableAt: at,
      lastError: null,
      createdAt: at,
      processedAt: null,
    }))
    const handler = outboxHandlers(t.deps)[complaintChangedTopic]!
    await t.deps.db.schema
      .alterTable('complaint_subjects')
      .renameTo('complaint_subjects_away')
      .execute()
    try {
      await expect(handler(rows)).resolves.toBeUndefined()
    } finally {
      await t.deps.db.schema
        .alterTable('complaint_subjects_away')
        .renameTo('complaint_subjects')
        .execute()
    }
    expect(
      t.logLines.some((l) => l.includes('the hourly sweep checks these complaints again')),
    ).toBe(true)
    const indexed = await t.deps.search.meili
      .index(t.deps.search.indexName('complaints'))
      .getDocument(ids[0]!)
      .catch(() => undefined)
    expect(indexed).toBeDefined()
    await sweepWarnings(t.deps, new Date())
    const warning = await t.deps.db
      .selectFrom('warnings')
      .select('id')
      .where('subjectLabel', 'like', '%故障测试水果摊%')
      .executeTakeFirst()
    expect(warning).toBeDefined()
  })
})

describe('paced detection, as the worker runs it', () => {
  const warningOf = (merchantName: string) =>
    t.deps.db
      .selectFrom('warnings')
      .select(['id', 'windowCount'])
      .where('subjectKind', '=', 'business')
      .where('subjectLabel', '=', merchantName)
      .execute()

  it('files at once, judges at most once per gap, and judges what waits when stopped', async () => {
    const gapMs = 1_500
    const detection = createPacedDetection(t.deps, { minGapMs: gapMs })
    const stall = '云和菜场 3 号摊'
    const at = new Date()
    const file = async () =>
      detection.file([
        await insertReport({ county: '331125', merchantName: stall, address: '云和菜场', at }),
      ])

    // The first complaint after a quiet spell is judged at once; the next two are filed at once
    // but wait for the gap: no warning yet, although three complaints now fire the rule.
    const started = performance.now()
    await file()
    await file()
    await file()
    const filed = await t.deps.db
      .selectFrom('complaintSubjects')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('subjectKind', '=', 'business')
      .where('subjectKey', 'like', '%云和菜场3号摊%')
      .executeTakeFirstOrThrow()
    expect(Number(filed.n)).toBe(3)
    expect(await warningOf(stall)).toHaveLength(0)

    // Judged together once the gap has passed, not before.
    while ((await warningOf(stall)).length === 0 && performance.now() - started < 10_000) {
      await new Promise((r) => setTimeout(r, 50))
    }
    expect(performance.now() - started).toBeGreaterThanOrEqual(gapMs - 50)
    const [warning] = await warningOf(stall)
    expect(warning).toMatchObject({ windowCount: 3 })
    expect(await noticesOf(warning!.id)).toHaveLength(1)

    // A fourth within the next gap waits; stopping judges it instead of leaving it to the sweep.
    await file()
    expect((await warningOf(stall))[0]!.windowCount).toBe(3)
    await detection.stop()
    expect((await warningOf(stall))[0]!.windowCount).toBe(4)
    expect(await casesOfWarning(t.deps.db, warning!.id)).toHaveLength(4)
  })

  it('tries a failed judgement again at the next pass, not an hour later', async () => {
    const detection = createPacedDetection(t.deps, { minGapMs: 300 })
    const stall = '庆元菜场 7 号摊'
    const at = new Date()
    // Judging reads the thresholds first: without their table every judgement fails.
    await sql`ALTER TABLE warning_thresholds RENAME TO warning_thresholds_away`.execute(t.deps.db)
    try {
      for (let i = 0; i < 3; i++) {
        await detection.file([
          await insertReport({ county: '331126', merchantName: stall, address: '庆元菜场', at }),
        ])
      }
      await new Promise((r) => setTimeout(r, 500))
      expect(await warningOf(stall)).toHaveLength(0)
      expect(t.logLines.some((l) => l.includes('it is tried again at the next pass'))).toBe(true)
    } finally {
      await sql`ALTER TABLE warning_thresholds_away RENAME TO warning_thresholds`.execute(t.deps.db)
    }
    const started = performance.now()
    while ((await warningOf(stall)).length === 0 && performance.now() - started < 5_000) {
      await new Promise((r) => setTimeout(r, 50))
    }
    expect(await warningOf(stall)).toMatchObject([{ windowCount: 3 }])
    await detection.stop()
  })
})

describe('a replay on a simulated clock', () => {
  let replay: TestContext
  beforeAll(async () => {
    replay = await createTestContext()
  })
  afterAll(() => replay.cleanup())

  it('replays three simulated weeks with two bursts: both warned within an hour, none false', async () => {
    const scenario = generateScenario({
      seed: 7,
      start: Date.parse('2025-06-01T00:00:00+08:00'),
      days: 21,
      bursts: 2,
    })
    const result = await replayScenario(replay.deps, scenario)
    expect(result.bursts).toBe(2)
    expect(result.burstsWarnedInTime).toBe(2)
    expect(result.falseWarnings).toBe(0)
    expect(result.delaySeconds.max).toBeLessThanOrEqual(3600)
  })
})

describe('with WARNINGS_DETECTION=off', () => {
  let off: TestContext
  beforeAll(async () => {
    off = await createTestContext({ env: { WARNINGS_DETECTION: 'off' } })
  })
  afterAll(() => off.cleanup())

  it('indexes complaints but files no subject and opens no warning', async () => {
    const offApp = createApp(off.deps)
    for (let n = 1; n <= 3; n++) {
      const res = await offApp.request(
        '/api/complaints',
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            kind: 'report',
            category: 'short_weight',
            county: '331102',
            merchantName: '关闭检测摊位',
            address: '莲都区关闭检测菜场',
            occurredAt: '2026-11-25T08:30',
            description: '在这个摊位买的菜复秤不足。',
            consent: true,
          }),
        },
        { clientAddress: `203.0.113.${n}` },
      )
      expect(res.status, await res.clone().text()).toBe(201)
    }
    const worker = createOutboxWorker({
      db: off.deps.db,
      handlers: outboxHandlers(off.deps),
      logger: off.deps.logger,
    })
    expect(await worker.runOnce()).toBe(3)
    const subjects = await off.deps.db.selectFrom('complaintSubjects').selectAll().execute()
    expect(subjects).toHaveLength(0)
    expect(await off.deps.db.selectFrom('warnings').selectAll().execute()).toHaveLength(0)
  })
})
