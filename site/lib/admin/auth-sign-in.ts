import type { AstroGlobal } from 'astro'
import { originMatchesHost } from '../../../api/services/admin/auth/origin.ts'
import { signIn } from '../../../api/services/admin/auth/sign-in.ts'
import { clientAddressOf } from '../complaint-client.ts'
import { serviceContext } from '../services.ts'
import { sessionToken, setSessionCookie } from './auth-cookie.ts'
import { type FormOutcome, outcomeOf, readForm, textField } from './auth-form.ts'
import { safeNext, withNext } from './auth-next.ts'

export interface SignInOutcome extends FormOutcome {
  /** The name typed, shown again (the password never is). */
  username: string
  /** Where to go once signed in (part way or fully). */
  redirect?: string
}

const stagePage = { change_password: '/admin/password', totp: '/admin/totp' } as const

/**
 * The sign-in form's POST. There is no session yet, so no CSRF token: a form posted from another
 * site is refused by its Origin instead (login CSRF).
 */
export async function handleSignIn(astro: AstroGlobal): Promise<SignInOutcome> {
  const { request, url } = astro
  if (!originMatchesHost(request.headers.get('origin'), url.host)) {
    return {
      status: 403,
      username: '',
      problems: [],
      notice: '登录请求来自其他网站，已拒绝。请直接打开本页登录。',
    }
  }
  const form = await readForm(request)
  const username = form ? textField(form, 'username', 100).trim() : ''
  const password = form ? textField(form, 'password') : ''
  const problems = [
    ...(username ? [] : [{ field: 'username', message: '请填写用户名。' }]),
    ...(password ? [] : [{ field: 'password', message: '请填写密码。' }]),
  ]
  if (problems.length > 0) return { status: 400, username, problems }
  try {
    const result = await signIn({
      ctx: serviceContext(),
      input: {
        username,
        password,
        clientAddress: clientAddressOf(request, () => astro.clientAddress),
        userAgent: request.headers.get('user-agent') ?? '',
        previousToken: sessionToken(astro),
      },
    })
    setSessionCookie(astro, result.token)
    const next = safeNext(url.searchParams.get('next'))
    const redirect = result.stage === 'active' ? next : withNext(stagePage[result.stage], next)
    return { status: 303, username, problems: [], redirect }
  } catch (error) {
    return { ...outcomeOf(error, ['username', 'password'], 'password'), username }
  }
}
