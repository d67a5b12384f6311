import type { AstroGlobal } from 'astro'
import { signOutOfConsole } from '../../../api/services/admin/auth/console.ts'
import { ConsoleRefusal } from '../../../api/services/admin/console-request.ts'
import { serviceContext } from '../services.ts'
import { clearSessionCookie } from './auth-cookie.ts'
import { readForm } from './auth-form.ts'
import { seeOther, signInPath } from './auth-next.ts'
import { consoleRequest, forbiddenPage, withForm } from './session.ts'

/**
 * 退出: POST only, with the session's CSRF token, so no link or image on another site can sign an
 * operator out. Without a live session there is nothing to end: the cookie is cleared all the same.
 */
export async function handleSignOut(astro: AstroGlobal): Promise<Response> {
  if (astro.request.method !== 'POST') {
    return new Response('请使用页面上的“退出”按钮退出登录。', {
      status: 405,
      headers: {
        Allow: 'POST',
        'Content-Type': 'text/plain; charset=utf-8',
        'Cache-Control': 'no-store',
      },
    })
  }
  const form = (await readForm(astro.request)) ?? new FormData()
  try {
    await signOutOfConsole({
      ctx: serviceContext(),
      request: withForm(consoleRequest(astro), form),
    })
  } catch (error) {
    if (!(error instanceof ConsoleRefusal)) throw error
    if (error.reason === 'csrf') {
      return forbiddenPage(
        '页面已过期（安全令牌不符），未能退出。请返回后台，刷新页面后再点“退出”。',
      )
    }
    // signed_out: nothing to end, the cookie is cleared below all the same.
  }
  clearSessionCookie(astro)
  return seeOther(`${signInPath}?signedOut=1`)
}
