import { activeCertifiedOn, certificationsPerYear } from '../../../db/queries/statistics.ts'
import type { Deps } from '../../deps.ts'
import { lastCountedDay, planTarget } from '../../domain/statistics.ts'
import type { Names, StatisticsTable, TableStamp } from './types.ts'

const inForce =
  '有效认定指截至当日认定仍在有效期内、未被暂停或撤销的诚信计量单位，按认定历史记录（认定、续期、暂停、恢复、撤销、过期）推算；区县和行业按单位现在登记的信息计。'

const sum = (rows: { n: number }[]) => rows.reduce((s, r) => s + r.n, 0)

/**
 * Certified businesses: per year against the plan's 469 → 1,500, and per county and sector at the
 * cutoff. Businesses are public, so nothing here is hidden.
 */
export async function certifiedTables(
  deps: Pick<Deps, 'db'>,
  scope: { cutoff: string; countyCode: string | null },
  names: Names,
  stamp: TableStamp,
): Promise<StatisticsTable[]> {
  const lastDay = lastCountedDay(scope.cutoff)
  const lastYear = Number(lastDay.slice(0, 4))
  const [perYear, now] = await Promise.all([
    certificationsPerYear(deps.db, lastDay, scope.countyCode),
    activeCertifiedOn(deps.db, lastDay, scope.countyCode),
  ])
  const firstYear = Math.min(2020, lastYear, ...perYear.map((r) => r.year))
  const years = Array.from({ length: lastYear - firstYear + 1 }, (_, i) => firstYear + i)
  const yearRows = await Promise.all(
    years.map(async (year) => {
      const active =
        year === lastYear
          ? sum(now)
          : sum(await activeCertifiedOn(deps.db, `${year}-12-31`, scope.countyCode))
      return {
        year: String(year),
        certified: perYear.find((r) => r.year === year)?.n ?? 0,
        active,
        target: planTarget(year) ?? '',
      }
    }),
  )
  const by = (key: 'countyCode' | 'sectorCode', code: string) =>
    sum(now.filter((r) => r[key] === code))
  const counties = names.counties.filter(
    (c) => (scope.countyCode === null || c.code === scope.countyCode) && !cityLevelEmpty(c.code),
  )
  function cityLevelEmpty(code: string) {
    return code === '331100' && by('countyCode', code) === 0
  }
  return [
    {
      id: 'certified-by-year',
      title: '诚信计量单位数量（按年）',
      definition: `“当年新认定”为当年首次认定的单位数；“年末有效认定”为当年 12 月 31 日有效认定的单位数，本年为截至 ${lastDay} 的数；“规划目标”按实施方案 2020 年 469 家、2025 年 1500 家，其间逐年均匀增长折算，2025 年以后为 1500 家。${inForce}`,
      columns: [
        { key: 'year', label: '年份' },
        { key: 'certified', label: '当年新认定（家）' },
        { key: 'active', label: '年末有效认定（家）' },
        { key: 'target', label: '规划目标（家）' },
      ],
      rows: yearRows,
      ...stamp,
    },
    {
      id: 'certified-by-county',
      title: '各区县有效认定的诚信计量单位',
      definition: `截至 ${lastDay} 各区县有效认定的单位数。${inForce}`,
      columns: [
        { key: 'county', label: '区县' },
        { key: 'active', label: '有效认定（家）' },
      ],
      rows: counties.map((c) => ({ county: c.name, active: by('countyCode', c.code) })),
      ...stamp,
    },
    {
      id: 'certified-by-sector',
      title: '各行业有效认定的诚信计量单位',
      definition: `截至 ${lastDay} 各行业有效认定的单位数。${inForce}`,
      columns: [
        { key: 'sector', label: '行业' },
        { key: 'active', label: '有效认定（家）' },
      ],
      rows: names.sectors.map((s) => ({ sector: s.name, active: by('sectorCode', s.code) })),
      ...stamp,
    },
  ]
}
