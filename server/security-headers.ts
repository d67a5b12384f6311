import type { IncomingMessage, ServerResponse } from 'node:http'

/**
 * Headers for every page, static or on-demand (the API and Open311 set their own, stricter ones). No inline
 * script or style is allowed: the build emits them as files (see astro.config.mjs).
 */
const pageHeaders: Record<string, string> = {
  'Content-Security-Policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'Referrer-Policy': 'strict-origin-when-cross-origin',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
}

export function securityHeaders(req: IncomingMessage, res: ServerResponse) {
  if (req.url?.startsWith('/api/') || req.url?.startsWith('/open311/')) return
  for (const [name, value] of Object.entries(pageHeaders)) res.setHeader(name, value)
}
