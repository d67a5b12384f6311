import { rewardsPaidPerYear } from '../../../db/queries/statistics.ts'
import type { Deps } from '../../deps.ts'
import { fenToYuan } from '../../domain/rewards.ts'
import { lastCountedDay, publishedCount, suppressedMark } from '../../domain/statistics.ts'
import type { StatisticsTable, TableStamp } from './types.ts'

/**
 * 举报奖励 per year (issue 25, item 5): how many rewards were paid and how much in all. Only the
 * yearly total is public, never an amount per case; a year with 1 to 4 rewards shows "<5" for
 * both, since a total over so few would tell what each reporter received. There is no total over
 * the years: with it, a hidden year's amount would be the difference. And only completed years
 * are listed: a running total of the year, rebuilt as payments are recorded, would tell each
 * payment's amount to anyone who compared two days' figures.
 */
export async function rewardTables(
  deps: Pick<Deps, 'db'>,
  scope: { cutoff: string; countyCode: string | null },
  stamp: TableStamp,
): Promise<StatisticsTable[]> {
  const thisYear = Number(lastCountedDay(scope.cutoff).slice(0, 4))
  const paid = (await rewardsPaidPerYear(deps.db, scope)).filter((y) => y.year < thisYear)
  // The last completed year is listed even without a reward, as 0.
  const lastYear = thisYear - 1
  const years = paid.some((y) => y.year === lastYear)
    ? paid
    : [...paid, { year: lastYear, n: 0, fen: 0 }].sort((a, b) => a.year - b.year)
  return [
    {
      id: 'reporter-rewards',
      title: '举报奖励发放情况',
      definition:
        '按发放日期统计每年已发放的举报奖励件数和金额合计（元）。只公布年度合计，不公布单件举报的奖励金额；某年发放 1 至 4 件的，件数和金额合计都显示为“<5”。当年的合计在次年 1 月 1 日起公布：年内随发放变化的合计，前后对比就能推算出单件奖励的金额。',
      columns: [
        { key: 'year', label: '年度' },
        { key: 'paid', label: '发放奖励（件）' },
        { key: 'total', label: '奖励金额合计（元）' },
      ],
      rows: years.map((y) => {
        const hidden = publishedCount(y.n) === suppressedMark
        return {
          year: String(y.year),
          paid: publishedCount(y.n),
          total: hidden ? suppressedMark : Number(fenToYuan(y.fen)),
        }
      }),
      ...stamp,
    },
  ]
}
