import { z } from 'zod'
import { countiesAndSectors } from '../../../db/queries/statistics.ts'
import type { Deps } from '../../deps.ts'
import { beijingDate, beijingIso, beijingMidnight } from '../../domain/beijing-time.ts'
import { countyNames } from '../../domain/counties.ts'
import { ApiError } from '../../errors.ts'
import { certifiedTables } from './certified.ts'
import { complaintTables } from './complaints.ts'
import { handlingTables } from './handling.ts'
import { rewardTables } from './rewards.ts'
import type { StatisticsTable } from './types.ts'

export type { StatisticsTable } from './types.ts'

const isDate = (s: string) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`))

const optionsSchema = z.object({
  /** Beijing date 'YYYY-MM-DD': the data up to the end of the day before it. */
  cutoff: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .refine(isDate),
  /** One county's figures (GB/T 2260 code), or null / left out for the whole city. */
  countyCode: z
    .string()
    .refine((c) => c in countyNames)
    .nullish(),
  /** 'YYYY-MM': the complaint tables of that month only. */
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/)
    .optional(),
})

/** 'YYYY-MM' → the month after it. */
function monthAfter(month: string): string {
  const [y, m] = [Number(month.slice(0, 4)), Number(month.slice(5))]
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`
}

export type StatisticsOptions = z.input<typeof optionsSchema>

/**
 * The public statistics (issue 24, item 3) as of `cutoff`: certified businesses against the plan,
 * complaints and reports, on-time handling, substantiated rate, satisfaction and reporters'
 * rewards paid per year. The page, its CSV
 * files, the console's XLSX report and the open data all take their figures from here, so a small
 * count is hidden the same way everywhere (api/domain/statistics.ts). Nothing personal is read.
 */
export async function statisticsTables(
  deps: Pick<Deps, 'db' | 'calendar'>,
  options: StatisticsOptions,
): Promise<StatisticsTable[]> {
  const parsed = optionsSchema.safeParse(options)
  if (!parsed.success) {
    throw new ApiError('VALIDATION_FAILED', '统计条件有误：截止日期、区县或月份不正确。', {
      fields: parsed.error.issues.map((i) => i.path.join('.')),
    })
  }
  const { cutoff, month } = parsed.data
  const countyCode = parsed.data.countyCode ?? null
  const end = beijingMidnight(cutoff)
  const lastMonth = beijingDate(new Date(end.getTime() - 1)).slice(0, 7)
  const monthEnd = month ? beijingMidnight(`${monthAfter(month)}-01`) : end
  const scope = {
    from: month ? beijingMidnight(`${month}-01`) : null,
    before: monthEnd < end ? monthEnd : end,
    countyCode,
    month: month ?? null,
  }
  const names = await countiesAndSectors(deps.db)
  const stamp = { computedAt: beijingIso(new Date()), cutoff }
  const [certified, complaints, handling, rewards] = await Promise.all([
    certifiedTables(deps, { cutoff, countyCode }, names, stamp),
    complaintTables(deps, { ...scope, lastMonth }, names, stamp),
    handlingTables(deps, scope, names, stamp),
    // Yearly, like the certified tables: a month's scope does not narrow them.
    rewardTables(deps, { cutoff, countyCode }, stamp),
  ])
  return [...certified, ...complaints, ...handling, ...rewards]
}
