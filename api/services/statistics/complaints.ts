import { complaintCounts, type ComplaintScope } from '../../../db/queries/statistics.ts'
import type { Deps } from '../../deps.ts'
import { categoryLabels, complaintCategories } from '../../domain/complaints.ts'
import { publishedCount, publishedRate } from '../../domain/statistics.ts'
import type { Names, StatisticsTable, TableStamp } from './types.ts'

type CountRow = Awaited<ReturnType<typeof complaintCounts>>[number]

const counted =
  '按收到日期（北京时间）统计网上和 12345 热线转来的投诉、举报，含已退回 12345 的工单。1 至 4 件的数显示为“<5”，比例所依据的件数为 1 至 4 件时也显示为“<5”，以免推知具体投诉人。'

const mixColumns = [
  { key: 'complaint', label: '投诉（件）' },
  { key: 'report', label: '举报（件）' },
  { key: 'total', label: '合计（件）' },
  { key: 'hotline', label: '其中来自 12345（件）' },
  { key: 'hotlineShare', label: '12345 占比（%）' },
]

/** The mix of one group of complaints: kinds, total and the share the 12345 hotline sent. */
function mix(rows: CountRow[]) {
  const n = (keep: (r: CountRow) => boolean) => rows.filter(keep).reduce((sum, r) => sum + r.n, 0)
  const total = n(() => true)
  const hotline = n((r) => r.channel === 'hotline12345')
  return {
    complaint: publishedCount(n((r) => r.kind === 'complaint')),
    report: publishedCount(n((r) => r.kind === 'report')),
    total: publishedCount(total),
    hotline: publishedCount(hotline),
    hotlineShare: publishedRate(hotline, total),
  }
}

/** 'YYYY-MM' months from `first` to `last`, both included. */
function monthsBetween(first: string, last: string): string[] {
  const months: string[] = []
  for (let y = Number(first.slice(0, 4)), m = Number(first.slice(5)); ; m++) {
    if (m > 12) [y, m] = [y + 1, 1]
    const month = `${y}-${String(m).padStart(2, '0')}`
    if (month > last) return months
    months.push(month)
  }
}

/** The month twelve months back from `month`, so an empty year still shows its shape. */
function yearBefore(month: string): string {
  const y = Number(month.slice(0, 4))
  const m = Number(month.slice(5))
  return m === 12 ? `${y}-01` : `${y - 1}-${String(m + 1).padStart(2, '0')}`
}

/** Complaints and reports per month, county and category, and the share from 12345. */
export async function complaintTables(
  deps: Pick<Deps, 'db'>,
  scope: ComplaintScope & { month: string | null; lastMonth: string },
  names: Names,
  stamp: TableStamp,
): Promise<StatisticsTable[]> {
  const rows = await complaintCounts(deps.db, scope)
  const firstMonth = rows.reduce((first, r) => (r.month < first ? r.month : first), scope.lastMonth)
  const months = scope.month
    ? [scope.month]
    : monthsBetween(
        firstMonth < yearBefore(scope.lastMonth) ? firstMonth : yearBefore(scope.lastMonth),
        scope.lastMonth,
      )
  const counties = names.counties.filter((c) =>
    scope.countyCode === null
      ? c.code !== '331100' || rows.some((r) => r.countyCode === c.code)
      : c.code === scope.countyCode,
  )
  const period = scope.month ? `${scope.month} 月` : '各月'
  return [
    {
      id: 'complaints-by-month',
      title: '投诉举报数量（按月）',
      definition: `${period}收到的投诉、举报件数及来自 12345 热线的占比。${counted}`,
      columns: [{ key: 'month', label: '月份' }, ...mixColumns],
      rows: months.map((month) => ({ month, ...mix(rows.filter((r) => r.month === month)) })),
      ...stamp,
    },
    {
      id: 'complaints-by-county',
      title: '各区县投诉举报数量',
      definition: `${scope.month ? `${scope.month} 月` : '全部时间'}各区县收到的投诉、举报件数。${counted}`,
      columns: [{ key: 'county', label: '区县' }, ...mixColumns],
      rows: counties.map((c) => ({
        county: c.name,
        ...mix(rows.filter((r) => r.countyCode === c.code)),
      })),
      ...stamp,
    },
    {
      id: 'complaints-by-category',
      title: '各类问题投诉举报数量',
      definition: `${scope.month ? `${scope.month} 月` : '全部时间'}按问题类别统计的投诉、举报件数。${counted}`,
      columns: [{ key: 'category', label: '问题类别' }, ...mixColumns],
      rows: complaintCategories.map((category) => ({
        category: categoryLabels[category],
        ...mix(rows.filter((r) => r.category === category)),
      })),
      ...stamp,
    },
    {
      id: 'complaints-county-category-month',
      title: '投诉举报数量（按月、区县和问题类别）',
      definition: `每月每个区县每类问题的投诉、举报件数（投诉与举报合计）。${counted}`,
      columns: [
        { key: 'month', label: '月份' },
        { key: 'county', label: '区县' },
        ...complaintCategories.map((c) => ({ key: c, label: categoryLabels[c] })),
      ],
      rows: months.flatMap((month) =>
        counties.map((c) => {
          const cell = rows.filter((r) => r.month === month && r.countyCode === c.code)
          return {
            month,
            county: c.name,
            ...Object.fromEntries(
              complaintCategories.map((category) => [
                category,
                publishedCount(
                  cell.filter((r) => r.category === category).reduce((s, r) => s + r.n, 0),
                ),
              ]),
            ),
          }
        }),
      ),
      ...stamp,
    },
  ]
}
