import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { parse } from 'yaml'
import { z } from 'zod'
import { shanghaiToday } from '../../time.ts'

/**
 * Legal deadlines in working days, counted from the day after receipt. 市场监督管理投诉举报处理暂行办法
 * 第十四条: decide whether to accept a 投诉 within 7 working days of receiving it. Its 第三十一条 sends
 * a 举报 to the administrative-penalty procedure, whose 市场监督管理行政处罚程序规定 第十八条 gives
 * 15 working days to verify the tip-off and decide whether to open a case.
 */
export const legalDeadlineDays = { complaint: 7, report: 15 } as const

/** `official`: the State Council's notice for that year; `provisional`: statutory days only. */
type YearStatus = 'official' | 'provisional'

/** How much of a span of dates the calendar knows: the weakest year in it decides. */
export type Coverage = YearStatus | 'uncovered'

/** The State Council's holiday schedule, as loaded from content/holidays/<year>.yaml. */
export interface WorkingDayCalendar {
  /** Years with a file. A year absent here is reckoned by the weekend rule alone. */
  readonly years: ReadonlyMap<number, YearStatus>
  /** Weekdays off (放假调休), 'YYYY-MM-DD' → the holiday's name. */
  readonly holidays: ReadonlyMap<string, string>
  /** Weekend days worked (调休上班), 'YYYY-MM-DD' → why. */
  readonly workdays: ReadonlyMap<string, string>
}

const defaultHolidaysDir = path.resolve(import.meta.dirname, '../../../content/holidays')

const dayMs = 86_400_000

/** Days since 1970-01-01 of a real 'YYYY-MM-DD' calendar date, or undefined for anything else. */
function dayNumberOf(date: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date)
  if (!match) return undefined
  const utc = new Date(0)
  utc.setUTCFullYear(Number(match[1]), Number(match[2]) - 1, Number(match[3]))
  return utc.toISOString().slice(0, 10) === date ? utc.getTime() / dayMs : undefined
}

function dayNumber(date: string): number {
  const n = dayNumberOf(date)
  if (n === undefined) throw new RangeError(`Not a calendar date (YYYY-MM-DD): "${date}"`)
  return n
}

function dateOf(dayNumber: number): string {
  return new Date(dayNumber * dayMs).toISOString().slice(0, 10)
}

/** 0 = Sunday … 6 = Saturday; 1970-01-01 was a Thursday. */
function weekdayOf(dayNumber: number): number {
  return (((dayNumber + 4) % 7) + 7) % 7
}

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

/** Whether `date` ('YYYY-MM-DD', a Shanghai calendar date) is a working day. */
export function isWorkingDay(cal: WorkingDayCalendar, date: string): boolean {
  if (cal.workdays.has(date)) return true
  if (cal.holidays.has(date)) return false
  const weekday = weekdayOf(dayNumber(date))
  return weekday !== 0 && weekday !== 6
}

/**
 * The n-th working day after `date`. The day of receipt never counts, working day or not, so a
 * complaint received on a holiday starts counting on the next working day.
 */
export function addWorkingDays(cal: WorkingDayCalendar, date: string, n: number): string {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`n must be an integer ≥ 1, got ${n}`)
  let day = dayNumber(date)
  for (let counted = 0; counted < n;) {
    day += 1
    if (isWorkingDay(cal, dateOf(day))) counted += 1
  }
  return dateOf(day)
}

/**
 * The weakest status among the years from `from` to `to` inclusive: `uncovered` when one of them
 * has no file (its days were reckoned by the weekend rule alone), then `provisional`, else
 * `official`. Intake stores it next to a deadline so that one computed on a guess can be redone.
 */
export function coverage(cal: WorkingDayCalendar, from: string, to: string): Coverage {
  let result: Coverage = 'official'
  const last = Number(to.slice(0, 4))
  for (let year = Number(from.slice(0, 4)); year <= last; year++) {
    const status = cal.years.get(year)
    if (status === undefined) return 'uncovered'
    if (status === 'provisional') result = 'provisional'
  }
  return result
}

/** A legal deadline: the last working day, the instant it ends, and how sure the calendar is. */
export interface Deadline {
  /** Last working day, Shanghai calendar date. */
  dueDate: string
  /** 23:59:59.999 China Standard Time on `dueDate`. */
  dueAt: Date
  /** Coverage of the days from receipt to `dueDate`. */
  coverage: Coverage
}

// Every intake on one day asks the same question: the answers are kept, per calendar.
const answered = new WeakMap<WorkingDayCalendar, Map<string, Omit<Deadline, 'dueAt'>>>()

/** The deadline `workingDays` working days after the Shanghai date on which `receivedAt` falls. */
export function deadlineFor(
  cal: WorkingDayCalendar,
  receivedAt: Date,
  workingDays: number,
): Deadline {
  if (Number.isNaN(receivedAt.getTime())) throw new RangeError('receivedAt is an invalid Date')
  const receivedOn = shanghaiToday(receivedAt)
  let known = answered.get(cal)
  if (!known) answered.set(cal, (known = new Map<string, Omit<Deadline, 'dueAt'>>()))
  const question = `${receivedOn}+${workingDays}`
  let answer = known.get(question)
  if (!answer) {
    const dueDate = addWorkingDays(cal, receivedOn, workingDays)
    answer = { dueDate, coverage: coverage(cal, receivedOn, dueDate) }
    if (known.size >= 1_000) known.clear()
    known.set(question, answer)
  }
  return { ...answer, dueAt: new Date(`${answer.dueDate}T23:59:59.999+08:00`) }
}

/** The instant the deadline ends: 23:59:59.999 Shanghai time on the last working day. */
export function dueAt(cal: WorkingDayCalendar, receivedAt: Date, workingDays: number): Date {
  return deadlineFor(cal, receivedAt, workingDays).dueAt
}
