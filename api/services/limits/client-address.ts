/**
 * The client's address for abuse limits: the socket's peer as the server reports it, or, behind a
 * trusted reverse proxy (TRUST_PROXY), the entry that proxy appended to X-Forwarded-For.
 */
export function resolveClientAddress(options: {
  trustProxy: boolean
  forwardedFor: string | null | undefined
  peer: () => string | undefined
}): string {
  if (options.trustProxy) {
    const forwarded = options.forwardedFor?.split(',').at(-1)?.trim()
    if (forwarded) return forwarded.slice(0, 64)
  }
  try {
    return options.peer() ?? 'unknown'
  } catch {
    // Not every adapter knows the peer; abuse limits then count it as "unknown".
    return 'unknown'
  }
}
