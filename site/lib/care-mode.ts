/**
 * 关怀模式 (large-text mode for elderly residents): a preference kept in a cookie, so it works
 * without JavaScript and on prerendered pages alike. Every page links `careStylesheetPath`; the
 * stylesheet answers with the large-text rules for a visitor who holds the cookie and with nothing
 * for anyone else, so the static pages themselves stay the same files for everyone.
 */
export const careCookie = 'care'
export const careSwitchPath = '/care-mode'
export const careStylesheetPath = '/care.css'
/** A year: the preference is a resident's, not a session's. */
const careCookieMaxAge = 365 * 24 * 60 * 60

export const careCookieOptions = {
  path: '/',
  maxAge: careCookieMaxAge,
  httpOnly: true,
  sameSite: 'lax',
} as const

/** Whether a request's cookie value turns care mode on. */
export const careModeOn = (value: string | undefined) => value === '1'

/**
 * Where the switch sends the visitor back to: the page they were on, and only a path on this
 * site (`//host` and absolute addresses fall back to the home page, so the switch cannot be
 * used as an open redirect).
 */
export function careReturnPath(back: unknown): string {
  if (typeof back !== 'string' || back.length > 500) return '/'
  if (!back.startsWith('/') || back.startsWith('//') || back.startsWith('/\\')) return '/'
  return back
}
