import { z } from '@hono/zod-openapi'
import { sessionStages } from '../../../../db/database.ts'
import { ApiError } from '../../../errors.ts'
import {
  openConsole,
  parseConsoleInput,
  refuseForeignOrigin,
  type ConsoleCall,
} from '../console-request.ts'
import type { ConsoleSession } from '../sessions.ts'
import { changePassword } from './change-password.ts'
import { signIn, type SignInResult } from './sign-in.ts'
import { signOut } from './sign-out.ts'
import type { IssuedSession } from './stages.ts'
import { totpEnrolment, type TotpEnrolment } from './totp-enrolment.ts'
import { submitTotpCode, type TotpCodeResult } from './totp-verify.ts'

export const signInInputSchema = z.object({
  username: z.string('请填写用户名').trim().min(1, '请填写用户名').max(100, '用户名过长'),
  password: z.string('请填写密码').min(1, '请填写密码').max(1024, '密码过长'),
})

/**
 * 登录. There is no session yet, so no CSRF token: a request posted from another site is refused
 * by its Origin instead (login CSRF). Any earlier session cookie is ended.
 */
export async function signInToConsole({ ctx, request, input }: ConsoleCall): Promise<SignInResult> {
  refuseForeignOrigin(request)
  const fields = parseConsoleInput(signInInputSchema, input)
  return signIn({
    ctx,
    input: {
      ...fields,
      clientAddress: request.clientAddress,
      userAgent: request.userAgent,
      previousToken: request.sessionToken,
    },
  })
}

/** 当前会话: the session at any stage of signing in (a page view, no CSRF token needed). */
export function consoleMe({ ctx, request }: Omit<ConsoleCall, 'input'>): Promise<ConsoleSession> {
  return openConsole({ ctx, request, access: { stages: sessionStages } })
}

/** 动态验证码绑定信息: the secret to add, while TOTP is not yet on (else 409). */
export async function totpEnrolmentInConsole({
  ctx,
  request,
}: Omit<ConsoleCall, 'input'>): Promise<TotpEnrolment> {
  const session = await openConsole({ ctx, request, access: { stages: ['totp', 'active'] } })
  return totpEnrolment({ ctx, input: { session } })
}

/** 退出: any stage of a session may end itself, with its CSRF token. */
export async function signOutOfConsole({
  ctx,
  request,
}: Omit<ConsoleCall, 'input'>): Promise<ConsoleSession> {
  const session = await openConsole({ ctx, request, access: { stages: sessionStages } })
  await signOut({ ctx, input: { session, clientAddress: request.clientAddress } })
  return session
}

export const changePasswordInputSchema = z
  .object({
    currentPassword: z.string('请填写当前密码').min(1, '请填写当前密码').max(1024),
    newPassword: z.string('请填写新密码').min(1, '请填写新密码').max(1024),
    /** The new password typed again (the page's form); checked only when sent. */
    confirmPassword: z.string().max(1024).optional(),
  })
  .refine((v) => v.confirmPassword === undefined || v.confirmPassword === v.newPassword, {
    path: ['confirmPassword'],
    error: '两次输入的新密码不一致，请重新输入。',
  })

/** 修改密码: at the change_password stage or once signed in; the session is replaced. */
export async function changeConsolePassword({
  ctx,
  request,
  input,
}: ConsoleCall): Promise<IssuedSession> {
  const session = await openConsole({
    ctx,
    request,
    access: { stages: ['change_password', 'active'] },
  })
  const fields = parseConsoleInput(changePasswordInputSchema, input)
  return changePassword({
    ctx,
    input: {
      session,
      currentPassword: fields.currentPassword,
      newPassword: fields.newPassword,
      clientAddress: request.clientAddress,
      userAgent: request.userAgent,
    },
  })
}

export const totpCodeInputSchema = z.object({
  code: z.string('请填写 6 位验证码').max(20, '验证码是 6 位数字'),
  /** Required to enable TOTP (enrolment); ignored when the code finishes a sign-in. */
  currentPassword: z.string('请填写当前密码').max(1024).optional(),
})

const fieldsMissing = (problems: { field: string; message: string }[]) =>
  new ApiError('VALIDATION_FAILED', problems.map((p) => p.message).join(''), problems)

/**
 * 动态验证码: finishes signing in (stage totp) or, the first time, enables TOTP, which needs the
 * current password too (a session alone must not bind someone's phone to the account).
 */
export async function submitConsoleTotp({
  ctx,
  request,
  input,
}: ConsoleCall): Promise<{ session: ConsoleSession; result: TotpCodeResult }> {
  const session = await openConsole({ ctx, request, access: { stages: ['totp', 'active'] } })
  const fields = parseConsoleInput(totpCodeInputSchema, input)
  const enrolling = !session.totpEnabled
  const problems = [
    ...(fields.code.trim() ? [] : [{ field: 'code', message: '请填写 6 位验证码。' }]),
    // A form always sends the field, empty when left blank; a JSON call that leaves it out is
    // answered by confirmCurrentPassword, as before this check existed.
    ...(enrolling && fields.currentPassword === ''
      ? [{ field: 'currentPassword', message: '请填写当前密码，确认是您本人在启用动态验证码。' }]
      : []),
  ]
  if (problems.length > 0) throw fieldsMissing(problems)
  const result = await submitTotpCode({
    ctx,
    input: {
      session,
      code: fields.code,
      currentPassword: enrolling ? fields.currentPassword : undefined,
      clientAddress: request.clientAddress,
      userAgent: request.userAgent,
    },
  })
  return { session, result }
}
