import type { Context } from 'hono'
import type { AppEnv } from '../../env.ts'

/**
 * The client's address for abuse limits: the socket's peer as the server adapter reports it, or,
 * behind a trusted reverse proxy (TRUST_PROXY), the entry that proxy appended to X-Forwarded-For.
 */
export function clientAddress(c: Context<AppEnv>): string {
  if (c.get('deps').config.TRUST_PROXY) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',').at(-1)?.trim()
    if (forwarded) return forwarded.slice(0, 64)
  }
  // c.env is absent when a caller (a test, a script) passes no bindings.
  const bindings = c.env as AppEnv['Bindings'] | undefined
  return bindings?.clientAddress ?? 'unknown'
}
