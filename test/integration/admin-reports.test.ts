import ExcelJS from 'exceljs'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiError } from '../../api/errors.ts'
import { createApp } from '../../api/http/app.ts'
import { ConsoleRefusal, type ConsoleRequest } from '../../api/services/admin/console-request.ts'
import { monthlyReportInConsole } from '../../api/services/admin/reports/monthly.ts'
import { statisticsTables, type StatisticsTable } from '../../api/services/statistics/tables.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { signedInOperator, type TestOperator } from '../support/operators.ts'

const countyA = '331102' // 莲都区
const countyB = '331121' // 青田县
const month = '2026-10'
/** The statistics' cutoff for the month: counted up to the end of its last day. */
const monthEnd = '2026-11-01'

/** What residents wrote: none of it may reach a report. */
const residentName = '欧阳秀英'
const residentPhone = (n: number) => `1391234${String(5600 + n)}`
const residentWords = '秤盘底下粘了磁铁，称出来多了三两'

let t: TestContext
let handlerA: TestOperator
let handlerB: TestOperator
let cityAdmin: TestOperator
let viewer: TestOperator
const tracking: Record<string, string[]> = { [countyA]: [], [countyB]: [] }

async function file(county: string, n: number) {
  const app = createApp(t.deps)
  const response = await app.request(
    '/api/complaints',
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        kind: 'complaint',
        category: 'short_weight',
        county,
        merchantName: `城东菜场 ${n} 号摊位`,
        address: '城东菜场',
        occurredAt: '2026-10-10T09:30',
        description: `${residentWords}（第 ${n} 件）`,
        name: residentName,
        phone: residentPhone(n),
        consent: true,
      }),
    },
    { clientAddress: `192.0.2.${n + 1}` },
  )
  expect(response.status).toBe(201)
  const { trackingNo } = (await response.json()) as { trackingNo: string }
  tracking[county]!.push(trackingNo)
  return trackingNo
}

const consoleOf = (as: TestOperator): ConsoleRequest => ({
  sessionToken: as.headers.cookie.split('=')[1],
  csrfToken: undefined,
  origin: null,
  host: 'console.example',
  changesState: false,
  clientAddress: '192.0.2.200',
  userAgent: 'test',
  secure: false,
})

async function download(as: TestOperator, query: { month: string; county?: string }) {
  const report = await monthlyReportInConsole({ ctx: t.deps, request: consoleOf(as), input: query })
  const book = new ExcelJS.Workbook()
  await book.xlsx.load(report.body as unknown as ExcelJS.Buffer)
  return { report, book }
}

/** A sheet's rows below its header, as plain values. */
function rowsOf(book: ExcelJS.Workbook, name: string): unknown[][] {
  const sheet = book.getWorksheet(name)
  if (!sheet) throw new Error(`no sheet ${name}`)
  const rows: unknown[][] = []
  sheet.eachRow((row, n) => {
    if (n > 1) rows.push((row.values as unknown[]).slice(1))
  })
  return rows
}

/** Every text a reader of the workbook can find: each cell of each sheet, and its properties. */
function allText(book: ExcelJS.Workbook): string {
  const parts = [book.creator, book.lastModifiedBy, book.title, book.subject, book.description]
  book.eachSheet((sheet) => {
    parts.push(sheet.name)
    sheet.eachRow((row) => parts.push(JSON.stringify(row.values)))
  })
  return parts.join('\n')
}

beforeAll(async () => {
  t = await createTestContext()
  // Six cases in 莲都 (a count the statistics show) and two in 青田 (shown as "<5").
  for (let n = 0; n < 6; n++) await file(countyA, n)
  for (let n = 6; n < 8; n++) await file(countyB, n)
  // All were received in October; two of 莲都's and one of 青田's were overdue at its end, one
  // more of 莲都's was past its deadline but closed before the month ended.
  await sql`UPDATE complaints SET received_at = '2026-10-12T10:00:00+08:00',
    due_at = '2026-11-20T17:00:00+08:00'`.execute(t.deps.db)
  const [a0, a1, a2] = tracking[countyA]!
  const [b0] = tracking[countyB]!
  await sql`UPDATE complaints SET due_at = '2026-10-21T17:00:00+08:00'
    WHERE tracking_no IN (${a0}, ${a1}, ${a2}, ${b0})`.execute(t.deps.db)
  await sql`UPDATE complaints SET status = 'closed', resolved_at = '2026-10-25T10:00:00+08:00',
    closed_at = '2026-10-25T10:00:00+08:00' WHERE tracking_no = ${a2}`.execute(t.deps.db)
  // A warning in each county in October, and one in 莲都 in November (not October's).
  // Its cases: every complaint of the county, filed under its subject.
  const warning = (county: string, label: string, firedAt: string) => sql`
    WITH w AS (
      INSERT INTO warnings (subject_kind, subject_key, subject_label, county_code, severity, rule,
        window_hours, window_count, expected, fired_at, cases_from, last_case_at)
      VALUES ('address', ${label}, ${label}, ${county}, 2, 'baseline', 48, 3, 0.5, ${firedAt},
        '-infinity', ${firedAt})
      RETURNING id)
    INSERT INTO complaint_subjects (complaint_id, subject_kind, subject_key, county_code,
      received_at)
    SELECT c.id, 'address', ${label}, c.county_code, c.received_at FROM w, complaints c
    WHERE c.county_code = ${county}`
  await warning(countyA, '莲都区城东菜场', '2026-10-13T09:00:00+08:00').execute(t.deps.db)
  await warning(countyB, '青田县鹤城菜场', '2026-10-14T09:00:00+08:00').execute(t.deps.db)
  await sql`UPDATE warnings SET state = 'handled', action = 'inspection', closed_at = now()
    WHERE subject_key = '青田县鹤城菜场'`.execute(t.deps.db)
  handlerA = await signedInOperator(t.deps, 'county_handler', countyA)
  handlerB = await signedInOperator(t.deps, 'county_handler', countyB)
  cityAdmin = await signedInOperator(t.deps, 'city_admin')
  viewer = await signedInOperator(t.deps, 'viewer', countyA)
}, 120_000)

afterAll(async () => {
  await t.cleanup()
})

/** The by-county sheet's county and total columns, as the workbook holds them. */
function countyTotals(book: ExcelJS.Workbook, tables: StatisticsTable[]) {
  const table = tables.find((tb) => tb.id === 'complaints-by-county')!
  const total = table.columns.findIndex((c) => c.key === 'total')
  return rowsOf(book, table.title.slice(0, 28)).map((r) => [r[0], r[total]])
}

describe('the monthly XLSX report', () => {
  it("opens with exceljs and holds a county's statistics, overdue cases and warnings", async () => {
    const { report, book } = await download(handlerA, { month })
    expect(report.filename).toBe(`monthly-report-${month}-${countyA}.xlsx`)
    const tables = await statisticsTables(t.deps, {
      cutoff: monthEnd,
      month,
      countyCode: countyA,
    })
    const names = book.worksheets.map((s) => s.name)
    expect(names).toEqual([
      '说明',
      ...tables.map((tb) => tb.title.slice(0, 28)),
      '逾期未办结',
      '本月预警',
    ])

    // Each statistics sheet holds the service's rows for the same scope and month, so its
    // totals are the page's.
    for (const table of tables) {
      const expected = table.rows.map((r) => table.columns.map((c) => r[c.key]))
      expect(rowsOf(book, table.title.slice(0, 28))).toEqual(expected)
    }
    expect(countyTotals(book, tables)).toEqual([['莲都区', 6]])

    const overdue = rowsOf(book, '逾期未办结')
    expect(overdue.map((r) => r[0])).toEqual(tracking[countyA]!.slice(0, 2).sort())
    expect(overdue[0]!.slice(1, 4)).toEqual(['莲都区', '缺斤短两', expect.stringMatching(/摊位/)])
    expect(rowsOf(book, '本月预警')).toEqual([
      ['莲都区城东菜场', '市场或街道', '莲都区', '预警', '2026-10-13 09:00', '待处置', 6],
    ])

    const audited = await t.deps.db
      .selectFrom('auditLog')
      .select(['action', 'detail'])
      .where('operatorId', '=', handlerA.operator.id)
      .execute()
    expect(audited).toEqual([
      { action: 'report.downloaded', detail: { month, county: countyA, overdue: 2 } },
    ])
  })

  it('gives a city admin every county, with counts under 5 suppressed, or one chosen county', async () => {
    const city = await download(cityAdmin, { month })
    const tables = await statisticsTables(t.deps, { cutoff: monthEnd, month })
    expect(countyTotals(city.book, tables).filter(([, total]) => total !== 0)).toEqual([
      ['莲都区', 6],
      ['青田县', '<5'],
    ])
    expect(rowsOf(city.book, '逾期未办结')).toHaveLength(3)
    expect(rowsOf(city.book, '本月预警').map((r) => [r[0], r[5]])).toEqual([
      ['青田县鹤城菜场', '已处置'],
      ['莲都区城东菜场', '待处置'],
    ])
    const chosen = await download(cityAdmin, { month, county: countyB })
    expect(rowsOf(chosen.book, '逾期未办结').map((r) => r[0])).toEqual([tracking[countyB]![0]])
  })

  it("refuses a county handler another county's report, and a viewer any", async () => {
    const asked = monthlyReportInConsole({
      ctx: t.deps,
      request: consoleOf(handlerB),
      input: { month, county: countyA },
    })
    await expect(asked).rejects.toThrow(ApiError)
    await expect(asked).rejects.toMatchObject({ code: 'FORBIDDEN' })
    const byViewer = monthlyReportInConsole({
      ctx: t.deps,
      request: consoleOf(viewer),
      input: { month },
    })
    await expect(byViewer).rejects.toBeInstanceOf(ConsoleRefusal)
    await expect(byViewer).rejects.toMatchObject({ reason: 'role' })
  })

  it("holds no resident's name, phone or words anywhere", async () => {
    for (const as of [handlerA, cityAdmin]) {
      const { book } = await download(as, { month })
      const text = allText(book)
      expect(text).toContain('城东菜场')
      expect(text).not.toContain(residentName)
      expect(text).not.toContain(residentWords)
      for (let n = 0; n < 8; n++) expect(text).not.toContain(residentPhone(n))
    }
  })
})
