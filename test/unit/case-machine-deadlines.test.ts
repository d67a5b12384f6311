import { describe, expect, it } from 'vitest'
import {
  dueAtAfter,
  dueSoonLimit,
  workingDaysLeft,
} from '../../api/services/admin/cases/deadlines.ts'
import { caseActions } from '../../api/services/admin/cases/machine.ts'
import { loadCalendar } from '../../api/services/complaints/working-days.ts'

const cal = loadCalendar()
/** Noon in Shanghai on a date. */
const at = (date: string) => new Date(`${date}T12:00:00+08:00`)
const endOf = (date: string) => new Date(`${date}T23:59:59.999+08:00`).toISOString()

describe('due dates as a case moves on', () => {
  it('gives an accepted 投诉 45 working days of mediation from the day of acceptance', () => {
    // Accepted Friday 2026-09-18: the make-up Sunday 09-20 counts, the Mid-Autumn day 09-25 and
    // National Day 10-01…10-07 do not, the make-up Saturday 10-10 does; the 45th is Thursday 11-26.
    expect(dueAtAfter(cal, 'complaint', 'accept', at('2026-09-18'))?.toISOString()).toBe(
      endOf('2026-11-26'),
    )
  })

  it('keeps a 举报 at 15 working days after receipt, and every other action where it was', () => {
    for (const action of caseActions) {
      expect(dueAtAfter(cal, 'report', action, at('2026-09-18'))).toBeNull()
      if (action !== 'accept')
        expect(dueAtAfter(cal, 'complaint', action, at('2026-09-18'))).toBeNull()
    }
  })
})

describe('working days left', () => {
  it('counts working days after today up to the due date, holidays excluded', () => {
    // From Wednesday 2026-09-30: 10-01…10-07 are off, 10-08 and 10-09 work, 10-10 is a make-up day.
    expect(workingDaysLeft(cal, new Date(endOf('2026-10-12')), at('2026-09-30'))).toBe(4)
  })

  it('is 0 on the due date and negative by the working days it has run over', () => {
    expect(workingDaysLeft(cal, new Date(endOf('2026-11-20')), at('2026-11-20'))).toBe(0)
    // Due Friday, now the next Tuesday: Monday and Tuesday are over.
    expect(workingDaysLeft(cal, new Date(endOf('2026-11-20')), at('2026-11-24'))).toBe(-2)
  })

  it('calls "due soon" anything due by the end of the second working day from today', () => {
    // Thursday 2026-12-31: 2027-01-01 is a holiday, then the weekend: Monday and Tuesday.
    expect(dueSoonLimit(cal, at('2026-12-31')).toISOString()).toBe(endOf('2027-01-05'))
  })
})
