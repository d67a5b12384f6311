import type { AstroGlobal } from 'astro'
import type { OperatorRole, SessionStage } from '../../../db/database.ts'
import {
  csrfTokenMatches,
  loadSession,
  type ConsoleSession,
} from '../../../api/services/admin/sessions.ts'
import { serviceContext } from '../services.ts'
import { sessionToken } from './auth-cookie.ts'
import { seeOther, signInUrl, withNext } from './auth-next.ts'

export type { ConsoleSession }

/** Where a session that has not finished signing in must go next. */
const stagePages: Record<Exclude<SessionStage, 'active'>, string> = {
  change_password: '/admin/password',
  totp: '/admin/totp',
}

/**
 * The console session of a page request, or the Response to send instead: a 303 to sign-in (with
 * `next`) when signed out, to the password or TOTP page when sign-in is unfinished, a 403 page
 * for a role not allowed here. Always marks the page `no-store`. `stages` lets the sign-in
 * pages themselves accept an unfinished session.
 */
export async function consoleSession(
  astro: AstroGlobal,
  options: { roles?: readonly OperatorRole[]; stages?: readonly SessionStage[] } = {},
): Promise<ConsoleSession | Response> {
  astro.response.headers.set('Cache-Control', 'no-store')
  const ctx = serviceContext()
  const session = await loadSession(
    ctx.db,
    ctx.privacy.hashKey,
    sessionToken(astro),
    new Date(),
    ctx.sessionCache,
  )
  if (!session) return seeOther(signInUrl(astro.url))
  const stages = options.stages ?? ['active']
  if (!stages.includes(session.stage)) {
    const page = session.stage === 'active' ? '/admin' : stagePages[session.stage]
    return seeOther(withNext(page, astro.url.pathname + astro.url.search))
  }
  if (options.roles && !options.roles.includes(session.operator.role)) return forbiddenPage()
  return session
}

/** Whether a posted form carries this session's CSRF token (hidden field `csrf`). */
export function formCsrfOk(session: ConsoleSession, form: FormData): boolean {
  const given = form.get('csrf')
  return csrfTokenMatches(session.csrfToken, typeof given === 'string' ? given : undefined)
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
