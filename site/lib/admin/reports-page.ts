import type { APIContext } from 'astro'
import { ApiError } from '../../../api/errors.ts'
import { ConsoleRefusal } from '../../../api/services/admin/console-request.ts'
import { seesEveryCounty, type SignedInOperator } from '../../../api/services/admin/access.ts'
import {
  monthlyReportInConsole,
  reportMonthChoices,
} from '../../../api/services/admin/reports/monthly.ts'
import { countyNames } from '../../../api/domain/counties.ts'
import { fieldProblemsOf } from '../../../api/validation.ts'
import { serviceContext } from '../services.ts'
import { seeOther, signInUrl } from './auth-next.ts'
import { consoleRequest, forbiddenPage } from './session.ts'

/** Where the monthly report of `month` downloads, for a county or (city level) every county. */
const monthlyReportUrl = (month: string, county?: string | null) =>
  `/admin/reports/${month}.xlsx${county ? `?county=${county}` : ''}`

const xlsxType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

const plain = (status: number, text: string) =>
  new Response(text, {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
  })

/**
 * The download of /admin/reports/<YYYY-MM>.xlsx: the verb decides who may have which county's
 * report; this answers its file, or its refusal as the console's pages do (sign-in for a
 * signed-out browser, the 403 page for another county or role, the reason for a bad month).
 */
export async function monthlyReportDownload(context: APIContext): Promise<Response> {
  const { url } = context
  try {
    const report = await monthlyReportInConsole({
      ctx: serviceContext(),
      request: consoleRequest(context),
      input: {
        month: context.params.month,
        county: url.searchParams.get('county') ?? undefined,
      },
    })
    return new Response(new Uint8Array(report.body), {
      headers: {
        'Content-Type': xlsxType,
        'Content-Disposition': `attachment; filename="${report.filename}"`,
        'Cache-Control': 'no-store',
      },
    })
  } catch (error) {
    if (error instanceof ConsoleRefusal && error.reason !== 'role') {
      return seeOther(error.reason === 'signed_out' ? signInUrl(url) : '/admin')
    }
    if (error instanceof ApiError && error.code === 'FORBIDDEN') return forbiddenPage(error.message)
    if (error instanceof ApiError && error.code === 'VALIDATION_FAILED') {
      const problems = fieldProblemsOf(error).map((p) => p.message)
      return plain(400, [error.message, ...problems].join('\n'))
    }
    throw error
  }
}

/**
 * The reports page's choices: the months offered (this one first), the one chosen (last month
 * unless the address names another offered), and for a city-level operator the counties.
 */
export function reportsPageModel(url: URL, operator: SignedInOperator) {
  const months = reportMonthChoices()
  const asked = url.searchParams.get('month')
  const month = asked && months.includes(asked) ? asked : (months[1] ?? months[0]!)
  const counties = seesEveryCounty(operator)
    ? Object.entries(countyNames).map(([code, name]) => ({ code, name }))
    : []
  const askedCounty = url.searchParams.get('county')
  const county = counties.some((c) => c.code === askedCounty) ? askedCounty : null
  const scopeName = seesEveryCounty(operator)
    ? county
      ? (countyNames[county] ?? '')
      : '全市'
    : (countyNames[operator.countyCode ?? ''] ?? '')
  return { months, month, counties, county, scopeName, href: monthlyReportUrl(month, county) }
}
