import type { ComplaintKind, ComplaintStatus } from '../../../../db/database.ts'
import { beijingDate, endOfBeijingDay } from '../../../domain/beijing-time.ts'
import { openComplaintStatuses } from '../../../domain/complaints.ts'
import {
  addWorkingDays,
  deadlineFor,
  isWorkingDay,
  type WorkingDayCalendar,
} from '../../../domain/working-days.ts'
import type { CaseAction } from './machine.ts'

/**
 * How each stage moves the due date (DESIGN.md section 4; 市场监督管理投诉举报处理暂行办法):
 * - received 投诉: 7 working days after receipt to decide on acceptance (第十四条), set at intake;
 * - accepting a 投诉 starts mediation, which ends 45 working days after acceptance (第二十一条:
 *   mediation ends when no agreement is reached within 45 working days of acceptance), so the
 *   due date becomes 45 working days after the day of acceptance;
 * - a 举报 keeps its 15 working days after receipt (第三十一条 → 市场监督管理行政处罚程序规定
 *   第十八条: verify and decide whether to open a case), whether accepted or under verification;
 * - every other action leaves the due date as it is; a finished case has none to meet.
 */
const mediationDays = 45

/** The case's new due date after `action` taken at `at`, or null to keep the current one. */
export function dueAtAfter(
  cal: WorkingDayCalendar,
  kind: ComplaintKind,
  action: CaseAction,
  at: Date,
): Date | null {
  if (action === 'accept' && kind === 'complaint') return deadlineFor(cal, at, mediationDays).dueAt
  return null
}

/** Statuses that still run against a deadline. */
export const openStatuses = openComplaintStatuses

export const isOpen = (status: ComplaintStatus) =>
  (openStatuses as readonly ComplaintStatus[]).includes(status)

const nextDate = (date: string) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)

/** Working days after `from` up to and including `to` (0 when `to` is not after `from`). */
function workingDaysAfter(cal: WorkingDayCalendar, from: string, to: string): number {
  let n = 0
  for (let day = nextDate(from); day <= to; day = nextDate(day)) {
    if (isWorkingDay(cal, day)) n += 1
  }
  return n
}

/** Answers per calendar for today's date: a queue page asks for the same due dates again and again. */
const daysLeftMemo = new WeakMap<
  WorkingDayCalendar,
  { today: string; byDue: Map<string, number> }
>()

/**
 * Working days left until the due date, in Shanghai dates: 0 when it is due today, negative by
 * the working days it has run over (so an overdue case over a weekend may still show 0; the
 * `overdue` flag, which compares instants, is what says it is late).
 */
export function workingDaysLeft(cal: WorkingDayCalendar, dueAt: Date, now: Date): number {
  const today = beijingDate(now)
  const dueDate = beijingDate(dueAt)
  let memo = daysLeftMemo.get(cal)
  if (memo?.today !== today) {
    memo = { today, byDue: new Map() }
    daysLeftMemo.set(cal, memo)
  }
  let left = memo.byDue.get(dueDate)
  if (left === undefined) {
    left =
      dueDate >= today
        ? workingDaysAfter(cal, today, dueDate)
        : -workingDaysAfter(cal, dueDate, today)
    memo.byDue.set(dueDate, left)
  }
  return left
}

/** The end of the day two working days from today: "due soon" means due by then. */
export function dueSoonLimit(cal: WorkingDayCalendar, now: Date): Date {
  return endOfBeijingDay(addWorkingDays(cal, beijingDate(now), 2))
}
