import type { AstroGlobal } from 'astro'
import { changePassword } from '../../../api/services/admin/auth/change-password.ts'
import type { ConsoleSession } from '../../../api/services/admin/sessions.ts'
import { clientAddressOf } from '../complaint-client.ts'
import { serviceContext } from '../services.ts'
import { setSessionCookie } from './auth-cookie.ts'
import { type FormOutcome, outcomeOf, readForm, textField } from './auth-form.ts'
import { safeNext, withNext } from './auth-next.ts'
import { formCsrfOk } from './session.ts'

const passwordFields = ['currentPassword', 'newPassword', 'confirmPassword'] as const

export interface PasswordOutcome extends FormOutcome {
  redirect?: string
}

const stalePage: PasswordOutcome = {
  status: 403,
  problems: [],
  notice: '页面已过期（安全令牌不符），请重新输入后提交。',
}

/** The password form's POST: checked here for the confirmation, by the service for the rest. */
export async function handlePasswordChange(
  astro: AstroGlobal,
  session: ConsoleSession,
): Promise<PasswordOutcome> {
  const form = await readForm(astro.request)
  if (!form || !formCsrfOk(session, form)) return stalePage
  const currentPassword = textField(form, 'currentPassword')
  const newPassword = textField(form, 'newPassword')
  const confirmPassword = textField(form, 'confirmPassword')
  const problems = [
    ...(currentPassword ? [] : [{ field: 'currentPassword', message: '请填写当前密码。' }]),
    ...(newPassword ? [] : [{ field: 'newPassword', message: '请填写新密码。' }]),
    ...(newPassword && confirmPassword !== newPassword
      ? [{ field: 'confirmPassword', message: '两次输入的新密码不一致，请重新输入。' }]
      : []),
  ]
  if (problems.length > 0) return { status: 400, problems }
  try {
    const issued = await changePassword({
      ctx: serviceContext(),
      input: {
        session,
        currentPassword,
        newPassword,
        clientAddress: clientAddressOf(astro.request, () => astro.clientAddress),
        userAgent: astro.request.headers.get('user-agent') ?? '',
      },
    })
    setSessionCookie(astro, issued.token)
    const next = safeNext(astro.url.searchParams.get('next'))
    return {
      status: 303,
      problems: [],
      redirect: issued.stage === 'totp' ? withNext('/admin/totp', next) : next,
    }
  } catch (error) {
    return outcomeOf(error, passwordFields, 'currentPassword')
  }
}
