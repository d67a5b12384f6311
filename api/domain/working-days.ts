import { beijingDate, endOfBeijingDay } from './beijing-time.ts'

/**
 * Legal deadlines in working days, counted from the day after receipt. 市场监督管理投诉举报处理暂行办法
 * 第十四条: decide whether to accept a 投诉 within 7 working days of receiving it. Its 第三十一条 sends
 * a 举报 to the administrative-penalty procedure, whose 市场监督管理行政处罚程序规定 第十八条 gives
 * 15 working days to verify the tip-off and decide whether to open a case.
 */
export const legalDeadlineDays = { complaint: 7, report: 15 } as const

/** `official`: the State Council's notice for that year; `provisional`: statutory days only. */
export type YearStatus = 'official' | 'provisional'

/** How much of a span of dates the calendar knows: the weakest year in it decides. */
export type Coverage = YearStatus | 'uncovered'

/**
 * The State Council's holiday schedule. Loaded from content/holidays/<year>.yaml by
 * api/services/complaints/working-days.ts; the arithmetic below only reads it.
 */
export interface WorkingDayCalendar {
  /** Years with a file. A year absent here is reckoned by the weekend rule alone. */
  readonly years: ReadonlyMap<number, YearStatus>
  /** Weekdays off (放假调休), 'YYYY-MM-DD' → the holiday's name. */
  readonly holidays: ReadonlyMap<string, string>
  /** Weekend days worked (调休上班), 'YYYY-MM-DD' → why. */
  readonly workdays: ReadonlyMap<string, string>
}

const dayMs = 86_400_000

/** Days since 1970-01-01 of a real 'YYYY-MM-DD' calendar date, or undefined for anything else. */
export function dayNumberOf(date: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date)
  if (!match) return undefined
  const utc = new Date(0)
  utc.setUTCFullYear(Number(match[1]), Number(match[2]) - 1, Number(match[3]))
  return utc.toISOString().slice(0, 10) === date ? utc.getTime() / dayMs : undefined
}

export function dayNumber(date: string): number {
  const n = dayNumberOf(date)
  if (n === undefined) throw new RangeError(`Not a calendar date (YYYY-MM-DD): "${date}"`)
  return n
}

export function dateOf(dayNumber: number): string {
  return new Date(dayNumber * dayMs).toISOString().slice(0, 10)
}

/** 0 = Sunday … 6 = Saturday; 1970-01-01 was a Thursday. */
export function weekdayOf(dayNumber: number): number {
  return (((dayNumber + 4) % 7) + 7) % 7
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
  const receivedOn = beijingDate(receivedAt)
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
  return { ...answer, dueAt: endOfBeijingDay(answer.dueDate) }
}

/** The instant the deadline ends: 23:59:59.999 Shanghai time on the last working day. */
export function dueAt(cal: WorkingDayCalendar, receivedAt: Date, workingDays: number): Date {
  return deadlineFor(cal, receivedAt, workingDays).dueAt
}
