import type { AstroGlobal } from 'astro'
import { ApiError } from '../../../api/errors.ts'
import { InputRefusal } from '../../../api/validation.ts'
import type { SessionStage } from '../../../api/domain/console.ts'
import {
  ConsoleRefusal,
  openConsole,
  type ConsoleAccess,
  type ConsoleRequest,
} from '../../../api/services/admin/console-request.ts'
import type { ConsoleSession } from '../../../api/services/admin/sessions.ts'
import { clientAddressOf } from '../complaint-client.ts'
import { serviceContext } from '../services.ts'
import { isSecurePage, sessionToken } from './auth-cookie.ts'
import { seeOther, signInUrl, withNext } from './auth-next.ts'

export type { ConsoleRequest, ConsoleSession }

type Astro = Pick<AstroGlobal, 'url' | 'request' | 'cookies' | 'clientAddress'>

/**
 * The console request of a page, as openConsole and the console verbs check it. Without a form
 * it is a page view; with one, a post that must carry the form's hidden `csrf` field.
 */
export function consoleRequest(astro: Astro): ConsoleRequest {
  const { request, url } = astro
  return {
    sessionToken: sessionToken(astro),
    csrfToken: undefined,
    origin: request.headers.get('origin'),
    host: url.host,
    changesState: false,
    clientAddress: clientAddressOf(request, () => astro.clientAddress),
    userAgent: request.headers.get('user-agent') ?? '',
    secure: isSecurePage(astro),
  }
}

/** The same request as a form post: state-changing, with the form's CSRF token. */
export function withForm(request: ConsoleRequest, form: FormData): ConsoleRequest {
  const given = form.get('csrf')
  return {
    ...request,
    changesState: true,
    csrfToken: typeof given === 'string' ? given : undefined,
  }
}

/** Where a session that has not finished signing in must go next. */
const stagePages: Record<Exclude<SessionStage, 'active'>, string> = {
  change_password: '/admin/password',
  totp: '/admin/totp',
}

/**
 * The console session of a page request, or the Response to send instead: a 303 to sign-in (with
 * `next`) when signed out, to the password or TOTP page when sign-in is unfinished, a 403 page
 * with the area's refusal for a role not allowed here. Always marks the page `no-store`. `access`
 * is the area's rule, the one its verbs pass (enterpriseAdmins, ...); `stages` lets the sign-in
 * pages themselves accept an unfinished session.
 */
export async function consoleSession(
  astro: AstroGlobal,
  access: ConsoleAccess = {},
): Promise<ConsoleSession | Response> {
  astro.response.headers.set('Cache-Control', 'no-store')
  try {
    return await openConsole({ ctx: serviceContext(), request: consoleRequest(astro), access })
  } catch (error) {
    const answer = refusalPage(error, astro.url)
    if (answer) return answer
    throw error
  }
}

/**
 * A console refusal as a page answer: sign-in (with `next`) when signed out, the password or
 * TOTP page when sign-in is unfinished, the plain 403 page for a role; undefined for anything
 * else (a CSRF refusal, which each form words in its own notice).
 */
function refusalPage(error: unknown, url: URL): Response | undefined {
  if (!(error instanceof ConsoleRefusal)) return undefined
  const here = url.pathname + url.search
  switch (error.reason) {
    case 'signed_out':
      return seeOther(signInUrl(url))
    case 'unfinished': {
      const stage = error.stage ?? 'active'
      return seeOther(withNext(stage === 'active' ? '/admin' : stagePages[stage], here))
    }
    case 'role':
      return forbiddenPage(error.message)
    default:
      return undefined
  }
}

/** Whether a console verb refused a form for its CSRF token (a stale or forged page). */
export const isCsrfRefusal = (error: unknown) =>
  error instanceof ConsoleRefusal && error.reason === 'csrf'

/** What a form page says when isCsrfRefusal: the page is old, not the person wrong. */
export const staleFormMessage = '页面已过期（安全令牌无效），请刷新页面后重新操作。'

/**
 * The message of a page that is not there, or undefined: a verb's NOT_FOUND, or an id or code in
 * the address that cannot be one (the verb refuses it with the API's path message; a page tells
 * it as `notFound`, since no record has it).
 */
export function missingPageMessage(error: unknown, notFound: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined
  if (error.code === 'NOT_FOUND') return error.message
  return error instanceof InputRefusal && error.target === 'param' ? notFound : undefined
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** A plain 403 page: on purpose without the console's navigation or any data. */
export function forbiddenPage(message = '您的账号没有查看这个页面的权限。'): Response {
  const html = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>没有权限 · 丽水诚信计量后台</title></head>
<body><main><h1>没有权限</h1><p>${escapeHtml(message)}</p>
<p>如需开通，请联系市局管理员。<a href="/admin">返回后台首页</a></p></main></body></html>`
  return new Response(html, {
    status: 403,
    headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' },
  })
}
