import type { AstroGlobal } from 'astro'
import { changeConsolePassword } from '../../../api/services/admin/auth/console.ts'
import { serviceContext } from '../services.ts'
import { setSessionCookie } from './auth-cookie.ts'
import { type FormOutcome, formFields, outcomeOf, readForm } from './auth-form.ts'
import { safeNext, withNext } from './auth-next.ts'
import { consoleRequest, isCsrfRefusal, withForm } from './session.ts'

const passwordFields = ['currentPassword', 'newPassword', 'confirmPassword'] as const

export interface PasswordOutcome extends FormOutcome {
  redirect?: string
}

const stalePage: PasswordOutcome = {
  status: 403,
  problems: [],
  notice: '页面已过期（安全令牌不符），请重新输入后提交。',
}

/** The password form's POST: the same verb as POST /api/admin/auth/password. */
export async function handlePasswordChange(astro: AstroGlobal): Promise<PasswordOutcome> {
  const form = await readForm(astro.request)
  if (!form) return stalePage
  try {
    const issued = await changeConsolePassword({
      ctx: serviceContext(),
      request: withForm(consoleRequest(astro), form),
      input: formFields(form, passwordFields),
    })
    setSessionCookie(astro, issued.token)
    const next = safeNext(astro.url.searchParams.get('next'))
    return {
      status: 303,
      problems: [],
      redirect: issued.stage === 'totp' ? withNext('/admin/totp', next) : next,
    }
  } catch (error) {
    if (isCsrfRefusal(error)) return stalePage
    return outcomeOf(error, passwordFields, 'currentPassword')
  }
}
