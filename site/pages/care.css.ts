import { createHash } from 'node:crypto'
import type { APIRoute } from 'astro'
import careRules from '../styles/care.css?raw'
import { careCookie, careModeOn } from '../lib/care-mode.ts'

export const prerender = false

// A new build's rules are a new version: the browser must not keep last build's.
const version = createHash('sha256').update(careRules).digest('base64url').slice(0, 16)

/**
 * The large-text rules for a visitor in 关怀模式, an empty stylesheet for everyone else. Kept by
 * the browser per cookie (Vary) and revalidated on each page, which answers 304 in a round trip.
 */
export const GET: APIRoute = ({ cookies, request }) => {
  const on = careModeOn(cookies.get(careCookie)?.value)
  const etag = on ? `"on-${version}"` : '"off"'
  const headers = {
    'Content-Type': 'text/css; charset=utf-8',
    'Cache-Control': 'private, no-cache',
    Vary: 'Cookie',
    ETag: etag,
  }
  if (request.headers.get('if-none-match') === etag)
    return new Response(null, { status: 304, headers })
  return new Response(on ? careRules : '/* 关怀模式未开启 */\n', { headers })
}
