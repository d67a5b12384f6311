/**
 * Whether a request's Origin header names the host it was sent to. Sign-in has no session (so no
 * CSRF token) yet; a form another site posts (login CSRF, which would sign the victim in as the
 * attacker) carries that site's origin. Browsers that send no Origin are let through.
 */
export function originMatchesHost(origin: string | null | undefined, host: string): boolean {
  if (origin === null || origin === undefined) return true
  try {
    return new URL(origin).host === host
  } catch {
    // "null" (a sandboxed frame or a privacy-minded redirect) is no origin we can trust.
    return false
  }
}
