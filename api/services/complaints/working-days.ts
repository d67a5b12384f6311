import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { parse } from 'yaml'
import { z } from 'zod'
import {
  dateOf,
  dayNumber,
  dayNumberOf,
  weekdayOf,
  type WorkingDayCalendar,
  type YearStatus,
} from '../../domain/working-days.ts'

// Reads the holiday files; the working-day arithmetic on them is api/domain/working-days.ts.

const defaultHolidaysDir = path.resolve(import.meta.dirname, '../../../content/holidays')

const isoDate = z
  .string({ error: '应为日期，写成 YYYY-MM-DD' })
  .refine((s) => dayNumberOf(s) !== undefined, { error: '不是真实日期，请写成 YYYY-MM-DD' })

const name = z.string({ error: '缺少 name（节日名称）' }).trim().min(1, '缺少 name（节日名称）')

/** Chinese messages for what zod reports on an object itself: a stray key, or not an object. */
function objectError(shape: string) {
  return (issue: z.core.$ZodRawIssue) =>
    issue.code === 'unrecognized_keys'
      ? `多余的字段 ${issue.keys.join('、')}，只能写 ${shape}`
      : `应写成 { ${shape} }`
}

const yearFileSchema = z.strictObject(
  {
    /** `official` once the year's State Council notice is copied in, `provisional` before. */
    status: z.enum(['official', 'provisional'], {
      error: '应为 official（已按国务院办公厅通知核对）或 provisional（暂定）',
    }),
    /** The notice (title, date, address) the dates were copied from. */
    source: z
      .string({ error: '缺少来源通知的标题、日期和网址' })
      .min(1, '缺少来源通知的标题、日期和网址'),
    /** Days off; `to` may be left out for a single day. */
    holidays: z.array(
      z.strictObject(
        { name, from: isoDate, to: isoDate.optional() },
        { error: objectError('name, from, to') },
      ),
      { error: '应为列表，没有时写 []' },
    ),
    /** Saturdays and Sundays that are working days (调休上班). */
    workdays: z.array(
      z.strictObject({ name, date: isoDate }, { error: objectError('name, date') }),
      { error: '应为列表，没有时写 []' },
    ),
  },
  { error: objectError('status, source, holidays, workdays') },
)

type YearFile = z.infer<typeof yearFileSchema>

/** The `name` of the list entry an issue points into, to say which entry is wrong. */
function entryName(raw: unknown, [list, index]: readonly PropertyKey[]): string | undefined {
  if (typeof list !== 'string' || typeof index !== 'number') return undefined
  if (typeof raw !== 'object' || raw === null || !(list in raw)) return undefined
  const entries = (raw as Record<string, unknown>)[list]
  const entry: unknown = Array.isArray(entries) ? entries[index] : undefined
  if (typeof entry !== 'object' || entry === null || !('name' in entry)) return undefined
  return typeof entry.name === 'string' ? entry.name : undefined
}

function describeIssue(raw: unknown, issue: z.core.$ZodIssue): string {
  let where = ''
  for (const p of issue.path) {
    where += typeof p === 'number' ? `[${p}]` : `${where ? '.' : ''}${String(p)}`
  }
  const named = entryName(raw, issue.path)
  if (named !== undefined) where += `（${named}）`
  return `${where || '文件'}: ${issue.message}`
}

function readYear(dir: string, fileName: string): { year: number; data: YearFile } {
  const year = Number(fileName.slice(0, 4))
  const text = readFileSync(path.join(dir, fileName), 'utf8')
  let raw: unknown
  try {
    raw = parse(text)
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error)
    throw new Error(`${fileName}: 不是有效的 YAML，请检查缩进和冒号（${detail}）`, { cause: error })
  }
  const parsed = yearFileSchema.safeParse(raw)
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => describeIssue(raw, i))
    throw new Error(`${fileName}: ${issues.join('; ')}`)
  }
  return { year, data: parsed.data }
}

function addYear(
  fileName: string,
  year: number,
  data: YearFile,
  holidays: Map<string, string>,
  workdays: Map<string, string>,
) {
  const fail = (entry: string, message: string) => {
    throw new Error(`${fileName} ${entry}: ${message}`)
  }
  const inYear = (date: string) => date.startsWith(`${year}-`)
  data.holidays.forEach((h, i) => {
    const entry = `holidays[${i}]（${h.name}）`
    const to = h.to ?? h.from
    if (!inYear(h.from) || !inYear(to))
      fail(entry, `日期应在 ${year} 年内，跨年的假期请分别写进两个年份的文件`)
    if (dayNumber(to) < dayNumber(h.from)) fail(entry, `to ${to} 早于 from ${h.from}，请对调`)
    for (let d = dayNumber(h.from); d <= dayNumber(to); d++) {
      const date = dateOf(d)
      if (holidays.has(date))
        fail(entry, `${date} 已在 ${holidays.get(date)!} 中列出，请删去重复的日期`)
      holidays.set(date, h.name)
    }
  })
  data.workdays.forEach((w, i) => {
    const entry = `workdays[${i}]（${w.name}）`
    if (!inYear(w.date)) fail(entry, `日期应在 ${year} 年内`)
    const weekday = weekdayOf(dayNumber(w.date))
    if (weekday !== 0 && weekday !== 6) fail(entry, `${w.date} 不是周六或周日，调休上班日只列周末`)
    if (holidays.has(w.date)) {
      fail(
        entry,
        `${w.date} 同时列为假日（${holidays.get(w.date)!}）和上班日，请核对通知后只保留一处`,
      )
    }
    if (workdays.has(w.date)) fail(entry, `${w.date} 重复列出，请删去一处`)
    workdays.set(w.date, w.name)
  })
}

const cache = new Map<string, WorkingDayCalendar>()

/**
 * Reads and checks every `<year>.yaml` in `dir` once per process; later calls return the same
 * calendar. Throws, naming the file and the entry, when a file is malformed.
 */
export function loadCalendar(dir: string = defaultHolidaysDir): WorkingDayCalendar {
  const key = path.resolve(dir)
  const cached = cache.get(key)
  if (cached) return cached
  const years = new Map<number, YearStatus>()
  const holidays = new Map<string, string>()
  const workdays = new Map<string, string>()
  const fileNames = readdirSync(key)
    .filter((n) => /\.ya?ml$/.test(n))
    .sort()
  for (const fileName of fileNames) {
    if (!/^\d{4}\.ya?ml$/.test(fileName)) {
      throw new Error(`${fileName}: 文件名应为四位年份，如 2026.yaml`)
    }
    const { year, data } = readYear(key, fileName)
    if (years.has(year)) throw new Error(`${fileName}: ${year} 年已有另一个文件，请只保留一个`)
    addYear(fileName, year, data, holidays, workdays)
    years.set(year, data.status)
  }
  if (years.size === 0) throw new Error(`${key}: 没有任何 <年份>.yaml 文件`)
  const calendar: WorkingDayCalendar = { years, holidays, workdays }
  cache.set(key, calendar)
  return calendar
}
