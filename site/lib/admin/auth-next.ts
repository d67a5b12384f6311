/** Where the console sends a visitor who has no session. */
export const signInPath = '/admin/sign-in'

/**
 * One console path: `/admin` and segments of letters, digits, `_` and `-` (dots only inside a
 * segment). No `.` or `..` segment, no `%` (so no `%2e%2e` or `%2f` that a later decoding step
 * could turn into one), no `//`: the browser resolves nothing, it goes exactly where it says.
 */
const consolePath = /^\/admin(?:\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*\/?$/

/**
 * A `next` address honoured after sign-in: only a plain path inside the console (no other site,
 * no `//host` or `/\host` trick, no dot segments however encoded), with any query, and never the
 * sign-in or sign-out pages themselves.
 */
export function safeNext(raw: string | null | undefined): string {
  if (!raw || raw.length > 500 || /[\\\s]/.test(raw)) return '/admin'
  const path = raw.split(/[?#]/, 1)[0]!
  if (!consolePath.test(path) || /\.\.|\/\./.test(path)) return '/admin'
  if (/^\/admin\/sign-(?:in|out)\/?$/.test(path)) return '/admin'
  return raw
}

/** `/admin/sign-in?next=…` for the page a signed-out visitor asked for. */
export function signInUrl(url: URL): string {
  return withNext(signInPath, url.pathname + url.search)
}

/** A path with the `next` address carried along (left out when it is the default). */
export function withNext(path: string, next: string): string {
  const safe = safeNext(next)
  return safe === '/admin' ? path : `${path}?next=${encodeURIComponent(safe)}`
}

/** A 303 to `location` that no browser or proxy keeps. */
export function seeOther(location: string): Response {
  return new Response(null, {
    status: 303,
    headers: { Location: location, 'Cache-Control': 'no-store' },
  })
}
