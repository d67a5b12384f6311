import type { AstroGlobal } from 'astro'
import {
  servedOverHttps,
  sessionCookieName,
  sessionCookieOptions,
} from '../../../api/services/admin/sessions.ts'
import { serviceContext } from '../services.ts'

type Astro = Pick<AstroGlobal, 'url' | 'request' | 'cookies'>

/** Served over HTTPS, directly or (with TRUST_PROXY) behind a proxy that says so. */
export function isSecurePage(astro: Astro): boolean {
  return servedOverHttps({
    url: astro.url,
    forwardedProto: astro.request.headers.get('x-forwarded-proto'),
    trustProxy: serviceContext().config.TRUST_PROXY,
  })
}

/** The same attributes as the API's cookie: HttpOnly, SameSite=Lax, Path=/, Secure over HTTPS. */
function options(astro: Astro) {
  const o = sessionCookieOptions(isSecurePage(astro))
  return { httpOnly: o.httpOnly, sameSite: 'lax' as const, secure: o.secure, path: o.path }
}

export const sessionToken = (astro: Astro) => astro.cookies.get(sessionCookieName)?.value

export function setSessionCookie(astro: Astro, token: string) {
  astro.cookies.set(sessionCookieName, token, options(astro))
}

export function clearSessionCookie(astro: Astro) {
  astro.cookies.delete(sessionCookieName, options(astro))
}
