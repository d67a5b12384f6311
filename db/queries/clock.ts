/**
 * The instant just after the millisecond `now` names. PostgreSQL stamps rows with microseconds
 * (`now()`) and the JavaScript clock reads milliseconds, so a row made due at 10:00:00.123456 is
 * due for a caller whose clock reads 10:00:00.123, the same millisecond: compare with
 * `< dueBefore(now)`, not `<= now`, or a pass that runs that soon after the write misses it.
 */
export const dueBefore = (now: Date): Date => new Date(now.getTime() + 1)
