import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { beijingDate } from '../../api/domain/beijing-time.ts'
import { usccCheckCharacter } from '../../api/domain/uscc.ts'
import { deadlineFor } from '../../api/domain/working-days.ts'
import { statisticsCsv } from '../../api/services/statistics/csv.ts'
import { statisticsTables, type StatisticsTable } from '../../api/services/statistics/tables.ts'
import { dataStamp } from '../../server/site-build.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'

/**
 * Issue 24, acceptance 4 (data side): the public statistics equal a direct count over the same
 * rows, written here in SQL of the test's own; every complaint figure from 1 to 4 is "<5" in the
 * tables and in their CSV, and nothing after the cutoff is counted.
 */
let t: TestContext
let tables: StatisticsTable[]

const countyA = '331102' // 莲都区
const countyB = '331121' // 青田县
// Data to the end of 2026-10-31, Beijing time.
const cutoff = '2026-11-01'
const end = new Date('2026-11-01T00:00:00+08:00')
const day = 86_400_000

const table = (id: string) => {
  const found = tables.find((x) => x.id === id)
  if (!found) throw new Error(`no table ${id}`)
  return found
}

/** What a count from 1 to 4 must read as everywhere; 0 and 5 or more as they are. */
const published = (n: number) => (n >= 1 && n <= 4 ? '<5' : n)

// ——— certified businesses ———

const codeOf = (i: number) => {
  const first17 = `91331102MA2K${String(i).padStart(5, '0')}`
  return `${first17}${usccCheckCharacter(first17)}`
}

interface Business {
  county: string
  sector: string
  events: { kind: string; on: string; validUntil?: string }[]
}

/** 9 businesses whose history is known: which are in force at each year's end is written below. */
const businesses: Business[] = [
  {
    county: countyA,
    sector: 'market',
    events: [{ kind: 'certified', on: '2021-03-01', validUntil: '2030-01-01' }],
  },
  {
    county: countyA,
    sector: 'market',
    events: [
      { kind: 'certified', on: '2021-05-01', validUntil: '2030-01-01' },
      { kind: 'revoked', on: '2024-02-01' },
    ],
  },
  {
    county: countyA,
    sector: 'fuel_station',
    events: [{ kind: 'certified', on: '2022-01-10', validUntil: '2024-06-30' }],
  },
  {
    county: countyA,
    sector: 'fuel_station',
    events: [
      { kind: 'certified', on: '2022-07-01', validUntil: '2025-06-30' },
      { kind: 'renewed', on: '2025-06-20', validUntil: '2028-06-30' },
    ],
  },
  {
    county: countyB,
    sector: 'market',
    events: [
      { kind: 'certified', on: '2023-04-01', validUntil: '2030-01-01' },
      { kind: 'suspended', on: '2023-11-01' },
      { kind: 'reinstated', on: '2024-03-01' },
    ],
  },
  {
    county: countyB,
    sector: 'supermarket',
    events: [
      { kind: 'certified', on: '2024-08-01', validUntil: '2030-01-01' },
      { kind: 'amended', on: '2025-01-05' },
    ],
  },
  {
    county: countyB,
    sector: 'supermarket',
    events: [
      { kind: 'certified', on: '2025-09-01', validUntil: '2030-01-01' },
      { kind: 'suspended', on: '2026-10-31' },
    ],
  },
  {
    county: countyB,
    sector: 'market',
    events: [{ kind: 'certified', on: '2026-02-01', validUntil: '2030-01-01' }],
  },
  // After the cutoff: not counted yet.
  {
    county: countyB,
    sector: 'market',
    events: [{ kind: 'certified', on: '2026-11-01', validUntil: '2030-01-01' }],
  },
]

/** In force at each year's end (2026: at the end of 2026-10-31), worked out by hand. */
const activeAtYearEnd: Record<string, number> = {
  '2020': 0,
  '2021': 2,
  '2022': 4,
  '2023': 4, // the suspended one is out
  '2024': 4, // one revoked, one expired, one reinstated, one new
  '2025': 5,
  '2026': 5, // one new, one suspended on the last day counted
}

// ——— complaints ———

type Handling =
  | 'on_time' // accepted the next day, finished within the due date
  | 'late_accept' // accepted after the acceptance deadline, finished in time
  | 'late_finish' // finished after the due date
  | 'open_overdue' // still open, past its due date at the cutoff
  | 'open_not_due' // still open, not yet due: not counted
  | 'rejected' // 不予受理 the next day

interface Batch {
  at: string // Beijing time of receipt
  county: string
  category: string
  kind: 'complaint' | 'report'
  channel: 'web' | 'hotline12345'
  n: number
  handling: Handling
  finding?: string
  satisfaction?: string
  /** A web resident's rating (issue 25), given the day after the case was handled. */
  rating?: 'satisfied' | 'basically_satisfied' | 'unsatisfied'
}

const batches: Batch[] = [
  // 2026-10, county A: short weight 7 (shown)
  {
    at: '2026-10-08T10:00',
    county: countyA,
    category: 'short_weight',
    kind: 'complaint',
    channel: 'web',
    n: 4,
    handling: 'on_time',
    finding: 'substantiated',
    rating: 'satisfied',
  },
  {
    at: '2026-10-09T10:00',
    county: countyA,
    category: 'short_weight',
    kind: 'report',
    channel: 'hotline12345',
    n: 3,
    handling: 'open_overdue',
    satisfaction: 'satisfied',
  },
  // 2026-10-31 23:30: the last half hour counted
  {
    at: '2026-10-31T23:30',
    county: countyB,
    category: 'fuel_dispenser',
    kind: 'report',
    channel: 'web',
    n: 1,
    handling: 'open_not_due',
  },
  // 2026-09, county A short weight 5 (shown at exactly 5), rigged instrument 3 and county B fuel
  // 1 (hidden); the rigged ones came at 07:30 Beijing time, still August in UTC
  {
    at: '2026-09-01T07:30',
    county: countyA,
    category: 'rigged_instrument',
    kind: 'report',
    channel: 'web',
    n: 3,
    handling: 'late_accept',
    finding: 'unfounded',
    rating: 'unsatisfied',
  },
  {
    at: '2026-09-02T15:00',
    county: countyA,
    category: 'short_weight',
    kind: 'complaint',
    channel: 'hotline12345',
    n: 5,
    handling: 'late_finish',
    finding: 'partly_substantiated',
    satisfaction: 'dissatisfied',
  },
  {
    at: '2026-09-03T11:00',
    county: countyB,
    category: 'fuel_dispenser',
    kind: 'complaint',
    channel: 'web',
    n: 1,
    handling: 'rejected',
  },
  // 2026-08, county B taxi meters 6, some rated
  {
    at: '2026-08-05T08:30',
    county: countyB,
    category: 'taxi_meter',
    kind: 'report',
    channel: 'hotline12345',
    n: 6,
    handling: 'on_time',
    finding: 'substantiated',
    satisfaction: 'basically_satisfied',
  },
  // After the cutoff (2026-11-01 00:10 Beijing): never counted
  {
    at: '2026-11-01T00:10',
    county: countyA,
    category: 'short_weight',
    kind: 'complaint',
    channel: 'web',
    n: 2,
    handling: 'on_time',
    finding: 'substantiated',
    // Received after the cutoff: not counted.
    rating: 'basically_satisfied',
  },
]

const at = (beijing: string) => new Date(`${beijing}:00+08:00`)

/** Rows written straight into the tables, so that the figures are known exactly. */
async function seed() {
  const db = t.deps.db
  let i = 0
  for (const b of businesses) {
    const uscc = codeOf(++i)
    const first = b.events[0]!
    await db
      .insertInto('enterprises')
      .values({
        uscc,
        name: `统计测试商户${i}`,
        countyCode: b.county,
        sectorCode: b.sector,
        address: '测试地址',
        certifiedAt: first.on,
        validUntil: first.validUntil!,
        status: 'active',
        statusSince: first.on,
      })
      .execute()
    await db
      .insertInto('certificationEvents')
      .values(
        b.events.map((e) => ({
          uscc,
          kind: e.kind as never,
          occurredOn: e.on,
          validUntil: e.validUntil ?? null,
          source: 'test',
        })),
      )
      .execute()
  }
  let n = 0
  for (const b of batches) {
    for (let k = 0; k < b.n; k++) {
      n += 1
      const receivedAt = at(b.at)
      const acceptBy = deadlineFor(t.deps.calendar, receivedAt, b.kind === 'complaint' ? 7 : 15)
      const dueDays = { open_not_due: 20, open_overdue: 10 }[b.handling as string] ?? 30
      const dueAt = new Date(receivedAt.getTime() + dueDays * day)
      const accepted =
        b.handling === 'late_accept'
          ? new Date(acceptBy.dueAt.getTime() + day)
          : b.handling === 'rejected' || b.handling.startsWith('open')
            ? null
            : new Date(receivedAt.getTime() + day)
      const resolvedDays = { on_time: 10, late_accept: 25, late_finish: 35 }[b.handling as string]
      const resolved = resolvedDays ? new Date(receivedAt.getTime() + resolvedDays * day) : null
      const row = await db
        .insertInto('complaints')
        .values({
          trackingNo: `JL20260101-${String(n).padStart(5, '0')}`,
          queryCodeHash: randomBytes(32),
          kind: b.kind,
          category: b.category as never,
          channel: b.channel,
          countyCode: b.county,
          merchantName: '统计测试摊位',
          address: '统计测试菜场',
          occurredAt: receivedAt,
          description: '统计测试',
          receivedAt,
          dueAt,
          acceptedAt: accepted,
          resolvedAt: resolved,
          status: b.handling === 'rejected' ? 'rejected' : resolved ? 'resolved' : 'received',
          finding: resolved && b.finding ? (b.finding as never) : null,
          rating: resolved && b.rating ? b.rating : null,
          ratedAt: resolved && b.rating ? new Date(resolved.getTime() + day) : null,
          personalDataErasedAt: new Date('2026-01-01T00:00:00Z'),
          personalDataErasure: 'retention',
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      if (b.handling === 'rejected') {
        await db
          .insertInto('complaintEvents')
          .values({
            complaintId: row.id,
            kind: 'rejected',
            isPublic: true,
            note: '不予受理',
            actor: 'test',
            occurredAt: new Date(receivedAt.getTime() + day),
          })
          .execute()
      }
      if (b.channel === 'hotline12345') {
        await db
          .insertInto('hotlineTickets')
          .values({
            ticketNo: `T-${n}`,
            complaintId: row.id,
            appealType: b.kind === 'complaint' ? '投诉' : '举报',
            urgency: 'normal',
            title: '统计测试工单',
            assignedAt: receivedAt,
            deadline: dueAt,
            satisfaction: (b.satisfaction ?? null) as never,
            lastEventAt: receivedAt,
          })
          .execute()
      }
    }
  }
}

beforeAll(async () => {
  t = await createTestContext()
  await seed()
  tables = await statisticsTables(t.deps, { cutoff })
}, 120_000)

afterAll(() => t.cleanup())

/** One count in the test's own SQL: complaints received before the cutoff matching `where`. */
async function countWhere(where: ReturnType<typeof sql>): Promise<number> {
  const r = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM complaints WHERE received_at < ${end} AND ${where}
  `.execute(t.deps.db)
  return r.rows[0]!.n
}

const monthIs = (month: string) =>
  sql`to_char(received_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') = ${month}`

describe('certified businesses against the plan', () => {
  it('counts the businesses in force at each year’s end as a direct query over the history does', async () => {
    const rows = table('certified-by-year').rows
    expect(rows.map((r) => r.year)).toEqual(Object.keys(activeAtYearEnd))
    for (const row of rows) {
      const year = String(row.year)
      const lastDay = year === '2026' ? '2026-10-31' : `${year}-12-31`
      // Each business's own latest status event and validity, by correlated subqueries.
      const direct = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM enterprises e
        WHERE (SELECT kind FROM certification_events x WHERE x.uscc = e.uscc
                 AND x.kind <> 'amended' AND x.occurred_on <= ${lastDay}::date
                 ORDER BY x.occurred_on DESC, x.id DESC LIMIT 1) IN ('certified', 'renewed', 'reinstated')
          AND coalesce((SELECT valid_until FROM certification_events x WHERE x.uscc = e.uscc
                 AND x.valid_until IS NOT NULL AND x.occurred_on <= ${lastDay}::date
                 ORDER BY x.occurred_on DESC, x.id DESC LIMIT 1), 'infinity') >= ${lastDay}::date
      `.execute(t.deps.db)
      expect(row.active, year).toBe(direct.rows[0]!.n)
      expect(row.active, year).toBe(activeAtYearEnd[year])
      const certified = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM certification_events
        WHERE kind = 'certified' AND occurred_on BETWEEN ${`${year}-01-01`}::date AND ${lastDay}::date
      `.execute(t.deps.db)
      expect(row.certified, year).toBe(certified.rows[0]!.n)
    }
  })

  it('draws the plan’s line from 469 in 2020 to 1,500 in 2025 and holds it after', () => {
    const target = Object.fromEntries(
      table('certified-by-year').rows.map((r) => [String(r.year), r.target] as const),
    )
    expect(target).toMatchObject({ '2020': 469, '2021': 675, '2025': 1500, '2026': 1500 })
  })

  it('splits the businesses in force at the cutoff by county and sector', () => {
    const byCounty = Object.fromEntries(
      table('certified-by-county').rows.map((r) => [String(r.county), r.active] as const),
    )
    expect(byCounty).toMatchObject({ 莲都区: 2, 青田县: 3, 缙云县: 0 })
    const bySector = Object.fromEntries(
      table('certified-by-sector').rows.map((r) => [String(r.sector), r.active] as const),
    )
    expect(bySector).toMatchObject({ 集贸市场: 3, 加油站: 1, 商场超市: 1 })
  })
})

describe('complaints and reports', () => {
  it('gives every county-category-month cell the direct count, 1 to 4 as "<5"', async () => {
    const categories = table('complaints-county-category-month').columns.slice(2)
    const names: Record<string, string> = { 莲都区: countyA, 青田县: countyB }
    let checked = 0
    for (const row of table('complaints-county-category-month').rows) {
      const county = names[String(row.county)]
      if (!county) continue
      for (const c of categories) {
        const n = await countWhere(
          sql`${monthIs(String(row.month))} AND county_code = ${county} AND category = ${c.key}`,
        )
        expect(row[c.key], `${row.month} ${row.county} ${c.label}`).toBe(published(n))
        checked += 1
      }
    }
    expect(checked).toBeGreaterThan(40)
    const cell = (month: string, county: string, key: string) =>
      table('complaints-county-category-month').rows.find(
        (r) => r.month === month && r.county === county,
      )?.[key]
    // The cells the data were written for: 7 shown, 3 hidden, exactly 5 shown, 1 hidden.
    expect(cell('2026-10', '莲都区', 'short_weight')).toBe(7)
    expect(cell('2026-09', '莲都区', 'rigged_instrument')).toBe('<5')
    expect(cell('2026-09', '莲都区', 'short_weight')).toBe(5)
    expect(cell('2026-09', '青田县', 'fuel_dispenser')).toBe('<5')
    expect(cell('2026-10', '青田县', 'fuel_dispenser')).toBe('<5')
    expect(cell('2026-11', '莲都区', 'short_weight')).toBeUndefined()
  })

  it('counts months, counties and categories with the 12345 share as direct queries do', async () => {
    const checks: [string, string, (row: Record<string, unknown>) => ReturnType<typeof sql>][] = [
      ['complaints-by-month', 'month', (r) => monthIs(String(r.month))],
      [
        'complaints-by-county',
        'county',
        (r) => sql`county_code = (SELECT code FROM counties WHERE name = ${String(r.county)})`,
      ],
      [
        'complaints-by-category',
        'category',
        (r) => sql`category = ${categoryKey(String(r.category))}`,
      ],
    ]
    for (const [id, name, where] of checks) {
      for (const row of table(id).rows) {
        const total = await countWhere(where(row))
        const hotline = await countWhere(sql`${where(row)} AND channel = 'hotline12345'`)
        const reports = await countWhere(sql`${where(row)} AND kind = 'report'`)
        const label = `${id} ${String(row[name])}`
        expect(row.total, label).toBe(published(total))
        expect(row.hotline, label).toBe(published(hotline))
        expect(row.report, label).toBe(published(reports))
        expect(row.complaint, label).toBe(published(total - reports))
        const share =
          total === 0
            ? ''
            : total < 5 || (hotline >= 1 && hotline <= 4)
              ? '<5'
              : Math.round((hotline / total) * 1000) / 10
        expect(row.hotlineShare, label).toBe(share)
      }
    }
    const october = table('complaints-by-month').rows.find((r) => r.month === '2026-10')
    expect(october).toMatchObject({ total: 8, hotline: '<5', hotlineShare: '<5', report: '<5' })
    const august = table('complaints-by-month').rows.find((r) => r.month === '2026-08')
    expect(august).toMatchObject({ total: 6, hotline: 6, hotlineShare: 100 })
  })

  it('restricts the complaint tables to one month and one county when asked', async () => {
    const october = await statisticsTables(t.deps, {
      cutoff,
      month: '2026-10',
      countyCode: countyA,
    })
    const byMonth = october.find((x) => x.id === 'complaints-by-month')!
    expect(byMonth.rows).toEqual([
      {
        month: '2026-10',
        complaint: '<5',
        report: '<5',
        total: 7,
        hotline: '<5',
        hotlineShare: '<5',
      },
    ])
    expect(october.find((x) => x.id === 'complaints-by-county')!.rows.map((r) => r.county)).toEqual(
      ['莲都区'],
    )
  })
})

const categoryKey = (label: string) =>
  ({
    缺斤短两: 'short_weight',
    计量器具作弊: 'rigged_instrument',
    加油机计量: 'fuel_dispenser',
    出租车计价器: 'taxi_meter',
    '民用三表（水、电、气表）': 'utility_meter',
    眼镜制配: 'optical',
    医疗计量: 'medical',
    其他: 'other',
  })[label]

describe('handling against the legal deadlines', () => {
  it('counts finished and overdue cases and those on time as a direct query does', async () => {
    // The acceptance deadline of every case, from the working-day calendar.
    const cases = await t.deps.db
      .selectFrom('complaints')
      .select(['id', 'kind', 'receivedAt'])
      .where('receivedAt', '<', end)
      .execute()
    const deadlines = cases.map((c) => ({
      id: c.id,
      acceptBy: deadlineFor(t.deps.calendar, c.receivedAt, c.kind === 'complaint' ? 7 : 15).dueAt,
    }))
    const values = sql.join(
      deadlines.map((d) => sql`(${d.id}::bigint, ${d.acceptBy}::timestamptz)`),
    )
    const direct = await sql<{ counted: number; onTime: number }>`
      WITH d (id, accept_by) AS (VALUES ${values}),
      c AS (
        SELECT c.*, d.accept_by,
          (SELECT min(occurred_at) FROM complaint_events e WHERE e.complaint_id = c.id AND e.kind = 'rejected') AS rejected_at
        FROM complaints c JOIN d USING (id)
      ),
      f AS (
        SELECT *, coalesce(resolved_at, closed_at, rejected_at) AS finished_at,
          CASE WHEN kind = 'complaint' AND accepted_at IS NULL THEN accept_by ELSE due_at END AS due
        FROM c
      )
      SELECT count(*) FILTER (WHERE finished_at IS NOT NULL OR due < ${end})::int AS counted,
        count(*) FILTER (WHERE finished_at <= due
          AND coalesce(accepted_at, rejected_at, finished_at) <= accept_by)::int AS on_time
      FROM f
    `.execute(t.deps.db)
    const city = table('timeliness').rows.find((r) => r.area === '全市')!
    const { counted, onTime } = direct.rows[0]!
    // 4 + 6 on time and 1 rejected in time; 3 accepted late; 5 finished late; 3 open past due.
    expect({ counted, onTime }).toEqual({ counted: 22, onTime: 11 })
    expect(city).toMatchObject({
      counted,
      onTime,
      onTimeRate: Math.round((onTime / counted) * 1000) / 10,
    })
    const lishui = table('timeliness').rows.find((r) => r.area === '青田县')!
    // 青田县: 6 on time, 1 rejected in time; the one not yet due is not counted.
    expect(lishui).toMatchObject({ counted: 7, onTime: 7, onTimeRate: 100 })
  })

  it('takes the median days to acceptance and to closure over the decided and the finished', async () => {
    const medians = await sql<{ accept: number; close: number }>`
      WITH c AS (
        SELECT received_at, accepted_at,
          coalesce(resolved_at, closed_at, (SELECT min(occurred_at) FROM complaint_events e
            WHERE e.complaint_id = complaints.id AND e.kind = 'rejected')) AS finished_at
        FROM complaints WHERE received_at < ${end}
      )
      SELECT
        percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM
          coalesce(accepted_at, finished_at) - received_at) / 86400)
          FILTER (WHERE coalesce(accepted_at, finished_at) < ${end}) AS accept,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - received_at) / 86400)
          FILTER (WHERE finished_at < ${end}) AS close
      FROM c
    `.execute(t.deps.db)
    const city = table('timeliness').rows.find((r) => r.area === '全市')!
    expect(city.medianAcceptDays).toBe(Math.round(medians.rows[0]!.accept * 10) / 10)
    expect(city.medianCloseDays).toBe(Math.round(medians.rows[0]!.close * 10) / 10)
    // 16 cases decided a day after receipt, 3 three weeks after; 19 finished, the middle in 10 days.
    expect(city).toMatchObject({ medianAcceptDays: 1, medianCloseDays: 10 })
  })

  it('gives the substantiated rate per category among finished cases with a finding', async () => {
    for (const row of table('substantiated-by-category').rows) {
      const category = categoryKey(String(row.category))
      const scope = category ? sql`category = ${category}` : sql`true`
      const base = sql`${scope} AND finding IS NOT NULL AND coalesce(resolved_at, closed_at) < ${end}`
      const all = await countWhere(base)
      const yes = await countWhere(
        sql`${base} AND finding IN ('substantiated', 'partly_substantiated')`,
      )
      expect(row.withFinding, String(row.category)).toBe(published(all))
      expect(row.substantiated, String(row.category)).toBe(published(yes))
    }
    const rows = Object.fromEntries(
      table('substantiated-by-category').rows.map((r) => [String(r.category), r] as const),
    )
    expect(rows['缺斤短两']).toMatchObject({ withFinding: 9, substantiated: 9, rate: 100 })
    expect(rows['计量器具作弊']).toMatchObject({ withFinding: '<5', substantiated: 0, rate: '<5' })
    expect(rows['合计']).toMatchObject({ withFinding: 18, substantiated: 15, rate: 83.3 })
  })

  it('gives 12345 satisfaction of finished, rated work orders', () => {
    const rows = Object.fromEntries(
      table('satisfaction').rows.map((r) => [String(r.level), r] as const),
    )
    // Rated: 5 dissatisfied (finished late) and 6 basically satisfied; the 3 satisfied are open.
    expect(rows['满意']).toMatchObject({ count: 0, share: 0 })
    expect(rows['基本满意']).toMatchObject({ count: 6, share: 54.5 })
    expect(rows['不满意']).toMatchObject({ count: 5, share: 45.5 })
    expect(rows['合计']).toMatchObject({ count: 11 })
  })
})

describe("web residents' ratings (issue 25)", () => {
  it('count the ratings of cases received and rated before the cutoff, as SQL counts them', async () => {
    const rows = Object.fromEntries(
      table('resident-rating').rows.map((r) => [String(r.level), r] as const),
    )
    const counted = async (rating: string) =>
      countWhere(sql`rating = ${rating} AND rated_at < ${end}`)
    expect(await counted('satisfied')).toBe(4)
    expect(await counted('unsatisfied')).toBe(3)
    expect(await counted('basically_satisfied')).toBe(0)
    // 4 and 3 are under 5, so each shows as "<5", and so does its share; the total is 7.
    expect(rows['满意']).toMatchObject({ count: '<5', share: '<5' })
    expect(rows['不满意']).toMatchObject({ count: '<5', share: '<5' })
    expect(rows['基本满意']).toMatchObject({ count: 0, share: 0 })
    expect(rows['合计']).toMatchObject({ count: 7, share: 100 })
  })
})

describe('the CSV files', () => {
  it('write every figure as the table does, "<5" included, after the definition and the dates', () => {
    const crossTable = table('complaints-county-category-month')
    const csv = statisticsCsv(crossTable)
    expect(csv.startsWith('\uFEFF# 投诉举报数量（按月、区县和问题类别）\r\n')).toBe(true)
    const lines = csv.slice(1).split('\r\n')
    expect(lines[1]).toMatch(/^# 口径：/)
    expect(lines[2]).toBe('# 数据截至：2026-10-31 24 时（北京时间）')
    expect(lines[3]).toMatch(/^# 计算时间：\d{4}-\d{2}-\d{2}T/)
    expect(lines[4]).toBe('')
    expect(lines[5]).toBe(crossTable.columns.map((c) => c.label).join(','))
    const october = lines.find((l) => l.startsWith('2026-10,莲都区,'))
    expect(october).toBe('2026-10,莲都区,7,0,0,0,0,0,0,0')
    expect(lines).toContain('2026-09,莲都区,5,<5,0,0,0,0,0,0')
    const september = lines.find((l) => l.startsWith('2026-09,青田县,'))
    expect(september).toBe('2026-09,青田县,0,0,<5,0,0,0,0,0')
    // No note line would be read as a quoted cell or split by a comma.
    for (const note of lines.slice(0, 4)) expect(note).not.toMatch(/[",]/)
    for (const t of tables) {
      const body = statisticsCsv(t).slice(1).split('\r\n').slice(6, -1)
      expect(body.length, t.id).toBe(t.rows.length)
      // A count of cases from 1 to 4 never appears as a number in the file.
      const cross = t.id === 'complaints-county-category-month'
      const counts = t.columns.flatMap((c, k) =>
        c.label.endsWith('（件）') || (cross && k >= 2) ? [k] : [],
      )
      if (t.id.startsWith('complaints')) expect(counts.length, t.id).toBeGreaterThan(0)
      for (const line of body) {
        const cells = line.split(',')
        for (const k of counts) {
          expect(['1', '2', '3', '4'], `${t.id}: ${line}`).not.toContain(cells[k])
        }
      }
    }
  })
})

describe('when the site is rebuilt for the statistics', () => {
  it('moves the data stamp at Beijing midnight and not within the day', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      vi.setSystemTime(new Date('2026-12-07T15:59:00Z')) // 23:59 in Beijing
      const evening = await dataStamp(t.deps)
      vi.setSystemTime(new Date('2026-12-07T02:00:00Z')) // 10:00 the same day
      expect(await dataStamp(t.deps)).toBe(evening)
      vi.setSystemTime(new Date('2026-12-07T16:01:00Z')) // 00:01 the next day
      expect(await dataStamp(t.deps)).not.toBe(evening)
      expect(beijingDate()).toBe('2026-12-08')
    } finally {
      vi.useRealTimers()
    }
  })
})
