import { beijingDate } from '../../api/domain/beijing-time.ts'
import { lastCountedDay, type PublishedFigure } from '../../api/domain/statistics.ts'
import { statisticsCsv } from '../../api/services/statistics/csv.ts'
import { statisticsTables, type StatisticsTable } from '../../api/services/statistics/tables.ts'
import { serviceContext } from './services.ts'

/** A bar of a chart: its name, its figure as published, and the plan's mark if it has one. */
export interface ChartBar {
  name: string
  value: PublishedFigure
  target?: number | null
}

/** What the page draws from a table: which column names the bars and which one they measure. */
interface ChartSpec {
  nameKey: string
  valueKey: string
  targetKey?: string
  unit: string
  /** The longest bar's figure: 100 for a rate, else the largest figure. */
  max?: number
}

const charts: Record<string, ChartSpec> = {
  'certified-by-year': { nameKey: 'year', valueKey: 'active', targetKey: 'target', unit: '家' },
  'certified-by-county': { nameKey: 'county', valueKey: 'active', unit: '家' },
  'certified-by-sector': { nameKey: 'sector', valueKey: 'active', unit: '家' },
  'complaints-by-month': { nameKey: 'month', valueKey: 'total', unit: '件' },
  'complaints-by-county': { nameKey: 'county', valueKey: 'total', unit: '件' },
  'complaints-by-category': { nameKey: 'category', valueKey: 'total', unit: '件' },
  timeliness: { nameKey: 'area', valueKey: 'onTimeRate', unit: '%', max: 100 },
  'substantiated-by-category': { nameKey: 'category', valueKey: 'rate', unit: '%', max: 100 },
  satisfaction: { nameKey: 'level', valueKey: 'share', unit: '%', max: 100 },
  'resident-rating': { nameKey: 'level', valueKey: 'share', unit: '%', max: 100 },
  'reporter-rewards': { nameKey: 'year', valueKey: 'total', unit: '元' },
}

/** The page's sections and the tables each holds, in order. */
const sections = [
  {
    id: 'certified',
    title: '诚信计量单位',
    tables: ['certified-by-year', 'certified-by-county', 'certified-by-sector'],
  },
  {
    id: 'complaints',
    title: '投诉举报',
    tables: [
      'complaints-by-month',
      'complaints-by-county',
      'complaints-by-category',
      'complaints-county-category-month',
    ],
  },
  {
    id: 'handling',
    title: '办理情况',
    tables: ['timeliness', 'substantiated-by-category', 'satisfaction', 'resident-rating'],
  },
  {
    id: 'rewards',
    title: '举报奖励',
    tables: ['reporter-rewards'],
  },
]

let loaded: { cutoff: string; tables: Promise<StatisticsTable[]> } | undefined

/**
 * The statistics as of today's cutoff (data to the end of yesterday), computed once per build:
 * the page and every CSV file show the same figures.
 */
function tablesOfToday(): Promise<StatisticsTable[]> {
  const cutoff = beijingDate()
  if (loaded?.cutoff !== cutoff) {
    loaded = { cutoff, tables: statisticsTables(serviceContext(), { cutoff }) }
  }
  return loaded.tables
}

const numberOrNull = (v: PublishedFigure | undefined) => (typeof v === 'number' ? v : null)

/** Where a table's CSV is published. */
const csvPath = (id: string) => `/statistics/${id}.csv`

/** Everything the statistics page shows. */
export async function loadStatisticsPage() {
  const tables = await tablesOfToday()
  const byId = new Map(tables.map((t) => [t.id, t]))
  const first = tables[0]!
  return {
    through: lastCountedDay(first.cutoff),
    computedAt: first.computedAt.slice(0, 16).replace('T', ' '),
    sections: sections.map((s) => ({
      ...s,
      tables: s.tables.map((id) => {
        const table = byId.get(id)!
        const spec = charts[id]
        return {
          table,
          csv: csvPath(id),
          chart: spec && {
            unit: spec.unit,
            max: spec.max,
            bars: table.rows.map((row): ChartBar => ({
              name: String(row[spec.nameKey]),
              value: row[spec.valueKey] ?? '',
              ...(spec.targetKey ? { target: numberOrNull(row[spec.targetKey]) } : {}),
            })),
          },
        }
      }),
    })),
  }
}

/** The ids the CSV route prerenders. */
export async function statisticsCsvPaths() {
  const tables = await tablesOfToday()
  return tables.map((t) => ({ params: { id: t.id } }))
}

/** One table as its CSV file (UTF-8 with a byte-order mark, as Excel and WPS want it). */
export async function statisticsCsvResponse(id: string): Promise<Response> {
  const table = (await tablesOfToday()).find((t) => t.id === id)
  if (!table) return new Response('Not found', { status: 404 })
  return new Response(statisticsCsv(table), {
    headers: { 'Content-Type': 'text/csv; charset=utf-8' },
  })
}
