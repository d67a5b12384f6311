import type { AstroGlobal } from 'astro'
import {
  totpEnrolment,
  type TotpEnrolment,
} from '../../../api/services/admin/auth/totp-enrolment.ts'
import { submitTotpCode } from '../../../api/services/admin/auth/totp-verify.ts'
import type { ConsoleSession } from '../../../api/services/admin/sessions.ts'
import { clientAddressOf } from '../complaint-client.ts'
import { serviceContext } from '../services.ts'
import { setSessionCookie } from './auth-cookie.ts'
import { type FormOutcome, outcomeOf, readForm, textField } from './auth-form.ts'
import { safeNext } from './auth-next.ts'
import { formCsrfOk } from './session.ts'

export interface TotpOutcome extends FormOutcome {
  redirect?: string
}

/** The secret to show while TOTP is not yet on (enrolment); undefined once it is. */
export async function enrolmentFor(session: ConsoleSession): Promise<TotpEnrolment | undefined> {
  if (session.totpEnabled) return undefined
  return totpEnrolment({ ctx: serviceContext(), input: { session } })
}

/** The code form's POST: finishes signing in, or turns TOTP on for an active session. */
export async function handleTotpCode(
  astro: AstroGlobal,
  session: ConsoleSession,
): Promise<TotpOutcome> {
  const form = await readForm(astro.request)
  if (!form || !formCsrfOk(session, form)) {
    return {
      status: 403,
      problems: [],
      notice: '页面已过期（安全令牌不符），请刷新页面后重新输入验证码。',
    }
  }
  const code = textField(form, 'code', 20)
  // Asked only while enrolling: enabling a second factor needs the password again.
  const enrolling = !session.totpEnabled
  const currentPassword = enrolling ? textField(form, 'currentPassword') : undefined
  const problems = [
    ...(code.trim() ? [] : [{ field: 'code', message: '请填写 6 位验证码。' }]),
    ...(enrolling && !currentPassword
      ? [{ field: 'currentPassword', message: '请填写当前密码，确认是您本人在启用动态验证码。' }]
      : []),
  ]
  if (problems.length > 0) return { status: 400, problems }
  try {
    const result = await submitTotpCode({
      ctx: serviceContext(),
      input: {
        session,
        code,
        currentPassword,
        clientAddress: clientAddressOf(astro.request, () => astro.clientAddress),
        userAgent: astro.request.headers.get('user-agent') ?? '',
      },
    })
    if (result.token !== undefined) setSessionCookie(astro, result.token)
    const next = safeNext(astro.url.searchParams.get('next'))
    return {
      status: 303,
      problems: [],
      redirect: session.stage === 'totp' ? next : '/admin/totp?enabled=1',
    }
  } catch (error) {
    return outcomeOf(error, ['code', 'currentPassword'], 'code')
  }
}
