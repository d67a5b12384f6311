/** Where the console sends a visitor who has no session. */
export const signInPath = '/admin/sign-in'

/**
 * A `next` address honoured after sign-in: only a path inside the console (no other site, no
 * `//host` or `/\host` trick), and never the sign-in or sign-out pages themselves.
 */
export function safeNext(raw: string | null | undefined): string {
  if (!raw || raw.length > 500) return '/admin'
  if (!/^\/admin(?:[/?#]|$)/.test(raw) || /[\\\s]/.test(raw)) return '/admin'
  if (/^\/admin\/sign-(?:in|out)(?:[/?#]|$)/.test(raw)) return '/admin'
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
