import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  beijingDate,
  beijingDateTime,
  beijingInstant,
  beijingIso,
  beijingIsoMs,
  beijingMidnight,
  endOfBeijingDay,
} from '../../api/domain/beijing-time.ts'

describe('Beijing time (UTC+8 all year)', () => {
  it('dates an instant by the Beijing calendar, which turns at 16:00 UTC', () => {
    expect(beijingDate(new Date('2026-11-26T15:59:59.999Z'))).toBe('2026-11-26')
    expect(beijingDate(new Date('2026-11-26T16:00:00.000Z'))).toBe('2026-11-27')
    // Past midnight UTC it is already mid-morning in Beijing: still the same date.
    expect(beijingDate(new Date('2026-11-27T00:00:00.000Z'))).toBe('2026-11-27')
    expect(beijingDate(new Date('2026-12-31T16:00:00.000Z'))).toBe('2027-01-01')
  })

  it('keeps eight hours all year: no daylight saving in July either', () => {
    expect(beijingIso(new Date('2026-07-01T00:30:00Z'))).toBe('2026-07-01T08:30:00+08:00')
    expect(beijingIso(new Date('2026-01-01T00:30:00Z'))).toBe('2026-01-01T08:30:00+08:00')
  })

  it('writes instants with their +08:00 offset, to the second or the millisecond', () => {
    const at = new Date('2026-11-26T17:05:09.123Z')
    expect(beijingIso(at)).toBe('2026-11-27T01:05:09+08:00')
    expect(beijingIsoMs(at)).toBe('2026-11-27T01:05:09.123+08:00')
    expect(beijingDateTime(at)).toBe('2026-11-27 01:05')
    expect(new Date(beijingIsoMs(at))).toEqual(at)
  })

  it('starts and ends a Beijing day eight hours before the UTC day', () => {
    expect(beijingMidnight('2026-11-27').toISOString()).toBe('2026-11-26T16:00:00.000Z')
    expect(beijingMidnight('2026-11-27', 1).toISOString()).toBe('2026-11-27T16:00:00.000Z')
    expect(endOfBeijingDay('2026-11-27').toISOString()).toBe('2026-11-27T15:59:59.999Z')
  })

  it('reads a time without an offset as Beijing time and keeps a written offset', () => {
    expect(beijingInstant('2026-11-27T00:30').toISOString()).toBe('2026-11-26T16:30:00.000Z')
    expect(beijingInstant('2026-11-27T00:30:15').toISOString()).toBe('2026-11-26T16:30:15.000Z')
    expect(beijingInstant('2026-11-27T00:30:00Z').toISOString()).toBe('2026-11-27T00:30:00.000Z')
    expect(beijingInstant('2026-11-27T00:30:00-05:00').toISOString()).toBe(
      '2026-11-27T05:30:00.000Z',
    )
    expect(Number.isNaN(beijingInstant('2026-11-27T25:00').getTime())).toBe(true)
  })

  it('puts every instant between the start and the end of its own Beijing day', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('2000-01-01T00:00:00Z'),
          max: new Date('2100-01-01T00:00:00Z'),
          noInvalidDate: true,
        }),
        (at) => {
          const day = beijingDate(at)
          expect(beijingMidnight(day).getTime()).toBeLessThanOrEqual(at.getTime())
          expect(endOfBeijingDay(day).getTime()).toBeGreaterThanOrEqual(at.getTime())
          expect(endOfBeijingDay(day).getTime() + 1).toBe(beijingMidnight(day, 1).getTime())
          expect(beijingInstant(beijingIsoMs(at).slice(0, 23))).toEqual(at)
        },
      ),
    )
  })
})
