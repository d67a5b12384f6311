import { z } from '@hono/zod-openapi'
import { countyCodes } from '../../../domain/counties.ts'

/** The monthly report asked for: `/admin/reports/2026-11.xlsx?county=331102`. */
export const monthlyReportSchema = z.object({
  /** 月份, Beijing calendar, 'YYYY-MM'. */
  month: z.string().regex(/^20\d{2}-(0[1-9]|1[0-2])$/, '月份应写作 YYYY-MM，例如 2026-11'),
  /** 区县代码; a city-level operator's choice, absent for every county. */
  county: z.preprocess(
    (v) => (v === '' || v === 'all' ? undefined : v),
    z.enum(countyCodes, { error: '区县代码不在丽水市的区县之列' }).optional(),
  ),
})

export type MonthlyReportQuery = z.output<typeof monthlyReportSchema>
