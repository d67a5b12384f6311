import type { AstroGlobal } from 'astro'
import QRCode from 'qrcode'
import { submitConsoleTotp } from '../../../api/services/admin/auth/console.ts'
import {
  totpEnrolment,
  type TotpEnrolment,
} from '../../../api/services/admin/auth/totp-enrolment.ts'
import type { ConsoleSession } from '../../../api/services/admin/sessions.ts'
import { serviceContext } from '../services.ts'
import { setSessionCookie } from './auth-cookie.ts'
import { type FormOutcome, formFields, outcomeOf, readForm } from './auth-form.ts'
import { safeNext } from './auth-next.ts'
import { consoleRequest, isCsrfRefusal, withForm } from './session.ts'

export interface TotpOutcome extends FormOutcome {
  redirect?: string
}

export interface TotpEnrolmentView extends TotpEnrolment {
  /** The otpauth:// URI as a QR code, inline SVG: drawn here, no outside service sees the key. */
  qrSvg: string
}

/**
 * The otpauth URI as a QR code an authenticator app scans from the screen: error correction M
 * and the standard four-module quiet zone, dark on white (apps read inverted codes badly).
 */
function totpQrSvg(uri: string): Promise<string> {
  return QRCode.toString(uri, {
    type: 'svg',
    errorCorrectionLevel: 'M',
    margin: 4,
    width: 220,
    color: { dark: '#000000', light: '#ffffff' },
  })
}

/** The secret to show while TOTP is not yet on (enrolment); undefined once it is. */
export async function enrolmentFor(
  session: ConsoleSession,
): Promise<TotpEnrolmentView | undefined> {
  if (session.totpEnabled) return undefined
  const enrolment = await totpEnrolment({ ctx: serviceContext(), input: { session } })
  return { ...enrolment, qrSvg: await totpQrSvg(enrolment.uri) }
}

const stalePage: TotpOutcome = {
  status: 403,
  problems: [],
  notice: '页面已过期（安全令牌不符），请刷新页面后重新输入验证码。',
}

/** The code form's POST: the same verb as POST /api/admin/auth/totp. */
export async function handleTotpCode(astro: AstroGlobal): Promise<TotpOutcome> {
  const form = await readForm(astro.request)
  if (!form) return stalePage
  try {
    const { session, result } = await submitConsoleTotp({
      ctx: serviceContext(),
      request: withForm(consoleRequest(astro), form),
      input: formFields(form, ['code', 'currentPassword']),
    })
    if (result.token !== undefined) setSessionCookie(astro, result.token)
    const next = safeNext(astro.url.searchParams.get('next'))
    return {
      status: 303,
      problems: [],
      redirect: session.stage === 'totp' ? next : '/admin/totp?enabled=1',
    }
  } catch (error) {
    if (isCsrfRefusal(error)) return stalePage
    return outcomeOf(error, ['code', 'currentPassword'], 'code')
  }
}
