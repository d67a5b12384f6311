import {
  caseMoments,
  residentRatingCounts,
  satisfactionCounts,
  type ComplaintScope,
} from '../../../db/queries/statistics.ts'
import type { Deps } from '../../deps.ts'
import {
  categoryLabels,
  complaintCategories,
  residentRatingLabels,
  residentRatings,
} from '../../domain/complaints.ts'
import { caseFindingLabels } from '../../domain/credit.ts'
import {
  publishedCount,
  publishedMedian,
  publishedRate,
  type PublishedFigure,
} from '../../domain/statistics.ts'
import { deadlineFor, legalDeadlineDays } from '../../domain/working-days.ts'
import { satisfactionLabels } from '../admin/cases/labels.ts'
import type { Names, StatisticsTable, TableStamp } from './types.ts'

type Moments = Awaited<ReturnType<typeof caseMoments>>[number]

const dayMs = 86_400_000
const before = (at: Date | null, end: Date) => (at !== null && at < end ? at : null)

/** One case judged at the end of the data: counted or not, on time or not, how long it took. */
function judge(deps: Pick<Deps, 'calendar'>, c: Moments, end: Date) {
  const rejectedAt = before(c.rejectedAt, end)
  const finishedAt = before(c.resolvedAt, end) ?? before(c.closedAt, end) ?? rejectedAt
  const acceptedAt = before(c.acceptedAt, end)
  // A case finished without a recorded acceptance (a 12345 order closed by the hotline) was
  // decided on when it was finished.
  const decidedAt = acceptedAt ?? rejectedAt ?? finishedAt
  const acceptBy = deadlineFor(deps.calendar, c.receivedAt, legalDeadlineDays[c.kind]).dueAt
  // Accepting a 投诉 moves its due date to the end of mediation; before that, the acceptance
  // deadline is the one that runs.
  const dueAt = c.kind === 'complaint' && acceptedAt === null ? acceptBy : c.dueAt
  const counted = c.status !== 'returned' && (finishedAt !== null || dueAt < end)
  const onTime =
    finishedAt !== null && finishedAt <= dueAt && decidedAt !== null && decidedAt <= acceptBy
  const days = (at: Date | null) => (at ? (at.getTime() - c.receivedAt.getTime()) / dayMs : null)
  return { counted, onTime, acceptDays: days(decidedAt), closeDays: days(finishedAt) }
}

function timelinessRow(judged: ReturnType<typeof judge>[]): Record<string, PublishedFigure> {
  const counted = judged.filter((j) => j.counted)
  const onTime = counted.filter((j) => j.onTime).length
  const days = (key: 'acceptDays' | 'closeDays') =>
    judged.map((j) => j[key]).filter((d) => d !== null)
  return {
    counted: publishedCount(counted.length),
    onTime: publishedCount(onTime),
    onTimeRate: publishedRate(onTime, counted.length),
    medianAcceptDays: publishedMedian(days('acceptDays')),
    medianCloseDays: publishedMedian(days('closeDays')),
  }
}

/**
 * On-time handling, the substantiated rate per category, 12345 satisfaction and web residents'
 * ratings.
 */
export async function handlingTables(
  deps: Pick<Deps, 'db' | 'calendar'>,
  scope: ComplaintScope & { month: string | null },
  names: Names,
  stamp: TableStamp,
): Promise<StatisticsTable[]> {
  const [moments, ratings, webRatings] = await Promise.all([
    caseMoments(deps.db, scope),
    satisfactionCounts(deps.db, scope),
    residentRatingCounts(deps.db, scope),
  ])
  const end = scope.before
  const judged = moments.map((c) => ({ c, j: judge(deps, c, end) }))
  const counties = names.counties.filter((c) =>
    scope.countyCode === null
      ? c.code !== '331100' || moments.some((m) => m.countyCode === c.code)
      : c.code === scope.countyCode,
  )
  const received = scope.month ? `${scope.month} 月收到的` : '收到的'
  const withFinding = moments.filter(
    (c) => c.finding !== null && (before(c.resolvedAt, end) ?? before(c.closedAt, end)),
  )
  const substantiated = (rows: Moments[]) => {
    const yes = rows.filter(
      (c) => c.finding === 'substantiated' || c.finding === 'partly_substantiated',
    ).length
    return {
      withFinding: publishedCount(rows.length),
      substantiated: publishedCount(yes),
      rate: publishedRate(yes, rows.length),
    }
  }
  const rated = ratings.reduce((s, r) => s + r.n, 0)
  const webRated = webRatings.reduce((s, r) => s + r.n, 0)
  return [
    {
      id: 'timeliness',
      title: '按时办理情况',
      definition: `统计${received}投诉、举报中已办结（含不予受理）或已过办理期限的案件，尚未到期的在办案件不计入，退回 12345 的工单不计入。按时办理指：在受理期限内作出受理（12345 工单为签收）或不予受理的决定，并在办理期限内办结。受理期限为收到后 ${legalDeadlineDays.complaint} 个工作日（投诉）或 ${legalDeadlineDays.report} 个工作日（举报）；办理期限为投诉受理后 45 个工作日调解期满、举报收到后 ${legalDeadlineDays.report} 个工作日，12345 工单以工单办结期限（含批准的延期）为准。工作日按国务院公布的节假日安排计算。过期仍未办结的案件算作未按时。受理用时、办结用时为从收到到作出受理决定、到办结的自然日数的中位数。依据《市场监督管理投诉举报处理暂行办法》。1 至 4 件的数及所依据件数不足 5 件的比例和中位数显示为“<5”。`,
      columns: [
        { key: 'area', label: '区域' },
        { key: 'counted', label: '纳入统计的案件（件）' },
        { key: 'onTime', label: '按时办理（件）' },
        { key: 'onTimeRate', label: '按时率（%）' },
        { key: 'medianAcceptDays', label: '受理用时中位数（天）' },
        { key: 'medianCloseDays', label: '办结用时中位数（天）' },
      ],
      rows: [
        ...(scope.countyCode === null
          ? [{ area: '全市', ...timelinessRow(judged.map((x) => x.j)) }]
          : []),
        ...counties.map((county) => ({
          area: county.name,
          ...timelinessRow(judged.filter((x) => x.c.countyCode === county.code).map((x) => x.j)),
        })),
      ],
      ...stamp,
    },
    {
      id: 'substantiated-by-category',
      title: '各类问题查实率',
      definition: `${received}投诉、举报中，已办结并作出认定结论（${Object.values(caseFindingLabels).join('、')}）的案件里，认定为查实或部分查实的比例。1 至 4 件的数及所依据件数不足 5 件的比例显示为“<5”。`,
      columns: [
        { key: 'category', label: '问题类别' },
        { key: 'withFinding', label: '有认定结论的办结案件（件）' },
        { key: 'substantiated', label: '查实或部分查实（件）' },
        { key: 'rate', label: '查实率（%）' },
      ],
      rows: [
        ...complaintCategories.map((category) => ({
          category: categoryLabels[category],
          ...substantiated(withFinding.filter((c) => c.category === category)),
        })),
        { category: '合计', ...substantiated(withFinding) },
      ],
      ...stamp,
    },
    {
      id: 'satisfaction',
      title: '12345 回访满意度',
      definition: `${received}12345 热线工单中，已办结并经 12345 回访评价的工单按评价结果统计；未评价的不计入。1 至 4 件的数及所依据件数不足 5 件的比例显示为“<5”。`,
      columns: [
        { key: 'level', label: '回访评价' },
        { key: 'count', label: '工单（件）' },
        { key: 'share', label: '占比（%）' },
      ],
      rows: [
        ...Object.entries(satisfactionLabels).map(([level, label]) => {
          const n = ratings.find((r) => r.satisfaction === level)?.n ?? 0
          return {
            level: label,
            count: publishedCount(n),
            share: publishedRate(n, rated),
          }
        }),
        { level: '合计', count: publishedCount(rated), share: rated > 0 ? 100 : '' },
      ],
      ...stamp,
    },
    {
      id: 'resident-rating',
      title: '网上投诉举报群众评价',
      definition: `${received}网上投诉、举报中，办结后投诉举报人在查询页上作出的评价，按评价结果统计；未评价的不计入（12345 工单由热线回访评价，见上表）。1 至 4 件的数及所依据件数不足 5 件的比例显示为“<5”。`,
      columns: [
        { key: 'level', label: '评价' },
        { key: 'count', label: '案件（件）' },
        { key: 'share', label: '占比（%）' },
      ],
      rows: [
        ...residentRatings.map((level) => {
          const n = webRatings.find((r) => r.rating === level)?.n ?? 0
          return {
            level: residentRatingLabels[level],
            count: publishedCount(n),
            share: publishedRate(n, webRated),
          }
        }),
        { level: '合计', count: publishedCount(webRated), share: webRated > 0 ? 100 : '' },
      ],
      ...stamp,
    },
  ]
}
