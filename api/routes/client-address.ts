import type { Context } from 'hono'
import type { AppEnv } from '../env.ts'
import { resolveClientAddress } from '../services/limits/client-address.ts'

/** The client's address for abuse limits (see resolveClientAddress). */
export function clientAddress(c: Context<AppEnv>): string {
  // c.env is absent when a caller (a test, a script) passes no bindings.
  const bindings = c.env as AppEnv['Bindings'] | undefined
  return resolveClientAddress({
    trustProxy: c.get('deps').config.TRUST_PROXY,
    forwardedFor: c.req.header('x-forwarded-for'),
    peer: () => bindings?.clientAddress,
  })
}
