import { complaintsByMonthAndCounty } from '../../../db/queries/statistics-interim.ts'
import type { ServiceContext } from '../../deps.ts'

// Interim version of the statistics part's module (issue 24, item 3): the same interface, one
// real table. It is replaced by that part's module when the parts are merged.

/** One statistics table as the page, the open data and the monthly report show it. */
export interface StatisticsTable {
  id: string
  title: string
  /** How the figures are counted, in plain Chinese. */
  definition: string
  columns: { key: string; label: string }[]
  /** A suppressed count (under 5) is the string '<5'. */
  rows: Record<string, string | number>[]
  computedAt: Date
  cutoff: Date
}

const suppressed = (n: number) => (n < 5 ? '<5' : n)

export async function statisticsTables(
  deps: Pick<ServiceContext, 'db'>,
  options: { cutoff: Date; countyCode?: string | undefined; month?: string | undefined },
): Promise<StatisticsTable[]> {
  const rows = await complaintsByMonthAndCounty(deps.db, options)
  return [
    {
      id: 'complaints-by-month',
      title: '每月收到的投诉举报（按区县）',
      definition:
        '按收到时间（北京时间）所在月份统计，含网上提交和 12345 热线转办；少于 5 件显示为“<5”。',
      columns: [
        { key: 'month', label: '月份' },
        { key: 'county', label: '区县' },
        { key: 'received', label: '收到件数' },
      ],
      rows: rows.map((r) => ({ month: r.month, county: r.countyName, received: suppressed(r.n) })),
      computedAt: new Date(),
      cutoff: options.cutoff,
    },
  ]
}
