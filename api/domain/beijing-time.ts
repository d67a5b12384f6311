/**
 * Beijing time: China Standard Time, UTC+8 all year (no daylight saving since 1991). Every
 * calendar date the product shows or reckons with (legal deadlines, tracking numbers, "today")
 * is a Beijing date, whatever the server's own time zone; this module is the one place that
 * adds the eight hours.
 */

const offsetMs = 8 * 3_600_000
const offset = '+08:00'

/** The Beijing wall clock at `instant`, as ISO 8601 without a zone: 'YYYY-MM-DDTHH:mm:ss.sss'. */
const wallClock = (instant: Date) =>
  new Date(instant.getTime() + offsetMs).toISOString().slice(0, 23)

/** The Beijing calendar date on which `instant` falls, as 'YYYY-MM-DD' (default: now). */
export function beijingDate(instant: Date = new Date()): string {
  return wallClock(instant).slice(0, 10)
}

/** 'YYYY-MM-DD HH:mm' in Beijing time, as shown to a reader. */
export function beijingDateTime(instant: Date): string {
  const local = wallClock(instant)
  return `${local.slice(0, 10)} ${local.slice(11, 16)}`
}

/** `2026-11-26T09:30:00+08:00`: the instant to the second, written with its offset. */
export function beijingIso(instant: Date): string {
  return `${wallClock(instant).slice(0, 19)}${offset}`
}

/** `2026-11-26T09:30:00.123+08:00`: the same to the millisecond. */
export function beijingIsoMs(instant: Date): string {
  return `${wallClock(instant)}${offset}`
}

/** The first instant of the Beijing date `date` ('YYYY-MM-DD'), `addDays` days later. */
export function beijingMidnight(date: string, addDays = 0): Date {
  return new Date(Date.parse(`${date}T00:00:00${offset}`) + addDays * 86_400_000)
}

/** The last instant (23:59:59.999) of the Beijing date `date` ('YYYY-MM-DD'). */
export function endOfBeijingDay(date: string): Date {
  return new Date(`${date}T23:59:59.999${offset}`)
}

/**
 * An ISO 8601 time that carries its own offset (`Z`, `+08:00`, `-05:00`) as written; one without
 * an offset ('YYYY-MM-DDTHH:mm[:ss]', what a datetime-local field sends) read as Beijing time.
 * An invalid time gives an invalid Date, for the caller to refuse.
 */
export function beijingInstant(value: string): Date {
  return new Date(/(Z|[+-]\d{2}:\d{2})$/.test(value) ? value : `${value}${offset}`)
}
