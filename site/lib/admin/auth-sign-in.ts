import type { AstroGlobal } from 'astro'
import { signInToConsole } from '../../../api/services/admin/auth/console.ts'
import { ConsoleRefusal } from '../../../api/services/admin/console-request.ts'
import { serviceContext } from '../services.ts'
import { setSessionCookie } from './auth-cookie.ts'
import { type FormOutcome, formFields, outcomeOf, readForm } from './auth-form.ts'
import { safeNext, withNext } from './auth-next.ts'
import { consoleRequest } from './session.ts'

export interface SignInOutcome extends FormOutcome {
  /** The name typed, shown again (the password never is). */
  username: string
  /** Where to go once signed in (part way or fully). */
  redirect?: string
}

const stagePage = { change_password: '/admin/password', totp: '/admin/totp' } as const

/** The sign-in form's POST: the same verb as POST /api/admin/auth/sign-in. */
export async function handleSignIn(astro: AstroGlobal): Promise<SignInOutcome> {
  const request = consoleRequest(astro)
  const form = await readForm(astro.request)
  const input = form ? formFields(form, ['username', 'password']) : {}
  const username = (input.username ?? '').slice(0, 100).trim()
  try {
    const result = await signInToConsole({ ctx: serviceContext(), request, input })
    setSessionCookie(astro, result.token)
    const next = safeNext(astro.url.searchParams.get('next'))
    const redirect = result.stage === 'active' ? next : withNext(stagePage[result.stage], next)
    return { status: 303, username, problems: [], redirect }
  } catch (error) {
    if (error instanceof ConsoleRefusal && error.reason === 'origin') {
      const notice = '登录请求来自其他网站，已拒绝。请直接打开本页登录。'
      return { status: 403, username: '', problems: [], notice }
    }
    return { ...outcomeOf(error, ['username', 'password'], 'password'), username }
  }
}
