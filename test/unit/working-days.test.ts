import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import { describe, expect, it, onTestFinished } from 'vitest'
import {
  addWorkingDays,
  coverage,
  deadlineFor,
  dueAt,
  isWorkingDay,
  legalDeadlineDays,
} from '../../api/domain/working-days.ts'
import { loadCalendar } from '../../api/services/complaints/working-days.ts'

const cal = loadCalendar()

function nextDay(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)
}

describe('the holiday files under content/holidays', () => {
  it('hold the 2026 State Council schedule: 33 days off and 6 make-up working days', () => {
    const off2026 = [...cal.holidays.keys()].filter((d) => d.startsWith('2026-'))
    expect(off2026).toHaveLength(3 + 9 + 3 + 5 + 3 + 3 + 7)
    expect([...cal.workdays.keys()].sort()).toEqual([
      '2026-01-04',
      '2026-02-14',
      '2026-02-28',
      '2026-05-09',
      '2026-09-20',
      '2026-10-10',
    ])
    expect(cal.years.get(2026)).toBe('official')
  })

  it('mark 2027 provisional, holding only its 13 statutory days off', () => {
    expect(cal.years.get(2027)).toBe('provisional')
    const off2027 = [...cal.holidays.keys()].filter((d) => d.startsWith('2027-'))
    expect(off2027).toHaveLength(13)
    expect(cal.holidays.get('2027-02-07')).toBe('春节')
  })

  it('are read once and then served from the cache', () => {
    expect(loadCalendar()).toBe(cal)
  })
})

describe('isWorkingDay', () => {
  it('counts Monday to Friday and not the weekend', () => {
    expect(isWorkingDay(cal, '2026-03-06')).toBe(true) // Friday
    expect(isWorkingDay(cal, '2026-03-07')).toBe(false) // Saturday
    expect(isWorkingDay(cal, '2026-03-08')).toBe(false) // Sunday
  })

  it('counts a make-up Saturday and not a weekday holiday', () => {
    expect(isWorkingDay(cal, '2026-10-10')).toBe(true)
    expect(isWorkingDay(cal, '2026-10-08')).toBe(true)
    expect(isWorkingDay(cal, '2026-10-05')).toBe(false)
  })

  it('rejects a string that is not a real date', () => {
    expect(() => isWorkingDay(cal, '2026-02-30')).toThrow(/Not a calendar date/)
    expect(() => isWorkingDay(cal, '2026/03/01')).toThrow(/Not a calendar date/)
  })
})

describe('addWorkingDays', () => {
  it('counts plain weekdays from the day after receipt', () => {
    expect(addWorkingDays(cal, '2026-03-02', 1)).toBe('2026-03-03')
    expect(addWorkingDays(cal, '2026-03-02', 3)).toBe('2026-03-05')
  })

  it('skips the weekend after a Friday receipt', () => {
    expect(addWorkingDays(cal, '2026-03-06', 1)).toBe('2026-03-09')
    expect(addWorkingDays(cal, '2026-03-06', legalDeadlineDays.complaint)).toBe('2026-03-17')
  })

  it('starts counting on Monday for a complaint received on Saturday', () => {
    expect(addWorkingDays(cal, '2026-03-07', 1)).toBe('2026-03-09')
    expect(addWorkingDays(cal, '2026-03-07', 7)).toBe('2026-03-17')
  })

  it('skips the National Day week and counts the make-up Saturday 10/10', () => {
    // 10/8 Thu, 10/9 Fri, 10/10 Sat (调休上班), 10/12 … 10/15.
    expect(addWorkingDays(cal, '2026-09-30', legalDeadlineDays.complaint)).toBe('2026-10-15')
  })

  it('counts a make-up Saturday as the first working day', () => {
    expect(addWorkingDays(cal, '2026-05-08', 1)).toBe('2026-05-09')
  })

  it('skips the nine days of Spring Festival and counts both make-up Saturdays', () => {
    // 2/14 Sat (1), 2/15–2/23 off, 2/24–2/27 (2–5), 2/28 Sat (6), 3/2 (7).
    expect(addWorkingDays(cal, '2026-02-13', 7)).toBe('2026-03-02')
  })

  it('carries a deadline across New Year from 2026 into 2027', () => {
    // 12/29, 12/30, 12/31, then 2027-01-01 is 元旦, then 1/4 … 1/7.
    expect(addWorkingDays(cal, '2026-12-28', 7)).toBe('2027-01-07')
    expect(coverage(cal, '2026-12-28', '2027-01-07')).toBe('provisional')
  })

  it('gives a 举报 fifteen working days, through the May Day holiday', () => {
    // 5/6–5/8 (1–3), 5/9 Sat (4), 5/11–5/15 (5–9), 5/18–5/22 (10–14), 5/25 (15).
    expect(addWorkingDays(cal, '2026-04-30', legalDeadlineDays.report)).toBe('2026-05-25')
  })

  it('reckons a year without a file by the weekend rule alone, and says so', () => {
    expect(addWorkingDays(cal, '2028-09-29', 1)).toBe('2028-10-02')
    expect(coverage(cal, '2028-09-29', '2028-10-02')).toBe('uncovered')
    expect(coverage(cal, '2027-12-30', '2028-01-03')).toBe('uncovered')
    expect(coverage(cal, '2026-03-02', '2026-03-11')).toBe('official')
  })

  it('refuses a count that is not a positive integer', () => {
    expect(() => addWorkingDays(cal, '2026-03-02', 0)).toThrow(RangeError)
    expect(() => addWorkingDays(cal, '2026-03-02', 1.5)).toThrow(RangeError)
  })

  it('lands after the receipt day, on a working day, with n − 1 working days in between', () => {
    const start = Date.parse('2025-11-01T00:00:00Z')
    const anyDate = fc
      .integer({ min: 0, max: 3 * 366 })
      .map((offset) => new Date(start + offset * 86_400_000).toISOString().slice(0, 10))
    fc.assert(
      fc.property(anyDate, fc.integer({ min: 1, max: 60 }), (date, n) => {
        const due = addWorkingDays(cal, date, n)
        expect(due > date).toBe(true)
        expect(isWorkingDay(cal, due)).toBe(true)
        let between = 0
        for (let d = nextDay(date); d < due; d = nextDay(d)) if (isWorkingDay(cal, d)) between++
        expect(between).toBe(n - 1)
      }),
    )
  })
})

describe('dueAt', () => {
  it('ends at 23:59:59.999 Shanghai time on the last working day', () => {
    const receivedAt = new Date('2026-03-02T09:30:00+08:00') // Monday
    expect(dueAt(cal, receivedAt, 7).toISOString()).toBe('2026-03-11T15:59:59.999Z')
  })

  it('takes the receipt day in Shanghai, not in UTC', () => {
    // Still Sunday 3/1 in UTC, already Monday 3/2 in Shanghai.
    const afterMidnight = new Date('2026-03-01T16:30:00Z')
    expect(deadlineFor(cal, afterMidnight, 7).dueDate).toBe('2026-03-11')
    // Sunday 23:30 in Shanghai: counting starts on Monday.
    const beforeMidnight = new Date('2026-03-01T15:30:00Z')
    expect(deadlineFor(cal, beforeMidnight, 7).dueDate).toBe('2026-03-10')
  })

  it('reports the coverage of the days it counted over', () => {
    const deadline = deadlineFor(cal, new Date('2026-12-25T10:00:00+08:00'), 15)
    expect(deadline).toEqual({
      dueDate: '2027-01-18',
      dueAt: new Date('2027-01-18T23:59:59.999+08:00'),
      coverage: 'provisional',
    })
  })

  it('rejects an invalid Date', () => {
    expect(() => dueAt(cal, new Date('nonsense'), 7)).toThrow(RangeError)
  })
})

describe('loadCalendar on a bad holiday file', () => {
  function dirWith(files: Record<string, string>): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'holidays-'))
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text)
    return dir
  }
  const header = 'status: official\nsource: test\n'

  it('names the file and entry of a date that does not exist', () => {
    const dir = dirWith({
      '2026.yaml': `${header}holidays:\n  - { name: 春节, from: 2026-02-15, to: 2026-02-30 }\nworkdays: []\n`,
    })
    expect(() => loadCalendar(dir)).toThrow(/2026\.yaml: holidays\[0\]\.to（春节）: 不是真实日期/)
  })

  it('refuses a day listed both as holiday and as make-up working day', () => {
    const dir = dirWith({
      '2026.yaml': `${header}holidays:\n  - { name: 国庆节, from: 2026-10-01, to: 2026-10-07 }\nworkdays:\n  - { name: 国庆节调休上班, date: 2026-10-04 }\n`,
    })
    expect(() => loadCalendar(dir)).toThrow(
      /2026\.yaml workdays\[0\]（国庆节调休上班）: .*同时列为假日/,
    )
  })

  it('refuses a make-up working day that is not a Saturday or Sunday', () => {
    const dir = dirWith({
      '2026.yaml': `${header}holidays: []\nworkdays:\n  - { name: 调休上班, date: 2026-10-09 }\n`,
    })
    expect(() => loadCalendar(dir)).toThrow(/workdays\[0\].*不是周六或周日/)
  })

  it('refuses a holiday outside the year the file is named after', () => {
    const dir = dirWith({
      '2026.yaml': `${header}holidays:\n  - { name: 元旦, from: 2027-01-01 }\nworkdays: []\n`,
    })
    expect(() => loadCalendar(dir)).toThrow(/2026\.yaml holidays\[0\]（元旦）: 日期应在 2026 年内/)
  })

  it('refuses an unknown status, a stray key and a badly named file', () => {
    const badStatus = dirWith({
      '2026.yaml': 'status: draft\nsource: x\nholidays: []\nworkdays: []\n',
    })
    expect(() => loadCalendar(badStatus)).toThrow(/2026\.yaml: status: 应为 official/)
    const strayKey = dirWith({
      '2026.yaml': `${header}holidays:\n  - { name: 元旦, date: 2026-01-01 }\nworkdays: []\n`,
    })
    expect(() => loadCalendar(strayKey)).toThrow(/holidays\[0\]（元旦）: 多余的字段 date/)
    const badName = dirWith({ 'holidays-2026.yaml': `${header}holidays: []\nworkdays: []\n` })
    expect(() => loadCalendar(badName)).toThrow(/holidays-2026\.yaml: 文件名应为四位年份/)
  })

  it('accepts a well-formed file and exposes its status', () => {
    const dir = dirWith({
      '2030.yaml':
        'status: provisional\nsource: test\nholidays:\n  - { name: 元旦, from: 2030-01-01 }\nworkdays: []\n',
    })
    const loaded = loadCalendar(dir)
    expect(loaded.years.get(2030)).toBe('provisional')
    expect(isWorkingDay(loaded, '2030-01-01')).toBe(false)
  })
})
