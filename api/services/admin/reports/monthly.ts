import { overdueCasesAt, warningsFiredBetween } from '../../../../db/queries/reports.ts'
import { beijingDate, beijingMidnight } from '../../../domain/beijing-time.ts'
import { countyNames } from '../../../domain/counties.ts'
import type { ServiceContext } from '../../../deps.ts'
import { ApiError } from '../../../errors.ts'
import { statisticsTables } from '../../statistics/tables.ts'
import type { SignedInOperator } from '../access.ts'
import { recordAudit } from '../audit.ts'
import { consoleVerb, parseConsoleInput } from '../console-request.ts'
import { reportCounty, reportReaders } from './access.ts'
import { monthlyReportSchema, type MonthlyReportQuery } from './schemas.ts'
import { monthlyWorkbook } from './workbook.ts'

/** A downloaded report: the file and the name it is saved under. */
export interface MonthlyReport {
  filename: string
  body: Buffer
}

/** The first instants of `month` and of the month after, Beijing time. */
function monthBounds(month: string) {
  const [year, m] = month.split('-').map(Number) as [number, number]
  const next = m === 12 ? `${year + 1}-01` : `${year}-${String(m + 1).padStart(2, '0')}`
  return { from: beijingMidnight(`${month}-01`), to: beijingMidnight(`${next}-01`) }
}

/**
 * The monthly report of `input.month` for the operator's scope (issue 24, item 4), as XLSX: the
 * statistics tables for that month and county, the cases overdue at the month's end (now, for
 * the month under way) and the warnings fired in it. The download is audited.
 */
async function monthlyReport({
  ctx,
  operator,
  input,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  input: MonthlyReportQuery & { clientAddress: string }
}): Promise<MonthlyReport> {
  const countyCode = reportCounty(operator, input.county)
  if (input.month > beijingDate().slice(0, 7)) {
    throw new ApiError('VALIDATION_FAILED', '这个月份还没有开始，没有报表。')
  }
  const now = new Date()
  const { from, to } = monthBounds(input.month)
  const end = to < now ? to : now
  const [tables, overdue, warnings] = await Promise.all([
    statisticsTables(ctx, {
      cutoff: beijingDate(end),
      month: input.month,
      countyCode: countyCode ?? undefined,
    }),
    overdueCasesAt(ctx.db, { at: end, countyCode }),
    warningsFiredBetween(ctx.db, { from, to, countyCode }),
  ])
  const body = await monthlyWorkbook({
    month: input.month,
    scopeName: countyCode ? (countyNames[countyCode] ?? countyCode) : '全市',
    generatedAt: now,
    tables,
    overdue,
    warnings,
  })
  await recordAudit(ctx.db, {
    operator,
    action: 'report.downloaded',
    clientAddress: input.clientAddress,
    detail: { month: input.month, county: countyCode, overdue: overdue.length },
  })
  return { filename: `monthly-report-${input.month}-${countyCode ?? 'city'}.xlsx`, body }
}

/** The same from a console request: the session, the role rule, then the query's own parse. */
export const monthlyReportInConsole = consoleVerb({
  access: reportReaders,
  parse: (raw) => parseConsoleInput(monthlyReportSchema, raw, 'query'),
  run: ({ ctx, session, request, input }) =>
    monthlyReport({
      ctx,
      operator: session.operator,
      input: { ...input, clientAddress: request.clientAddress },
    }),
})

/** The months a report may be asked for on the page: this one and the 23 before, newest first. */
export function reportMonthChoices(today = beijingDate()): string[] {
  let [year, month] = today.split('-').map(Number) as [number, number]
  const months: string[] = []
  for (let i = 0; i < 24; i++) {
    months.push(`${year}-${String(month).padStart(2, '0')}`)
    if (--month === 0) [year, month] = [year - 1, 12]
  }
  return months
}
