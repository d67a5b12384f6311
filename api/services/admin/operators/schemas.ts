import { z } from '@hono/zod-openapi'
import { operatorRoles } from '../../../../db/database.ts'
import { usernamePattern } from '../auth/create-operator.ts'
import { countyNames } from '../../../domain/counties.ts'

export const operatorActions = [
  'reset_password',
  'disable',
  'enable',
  'unlock',
  'reset_totp',
] as const
/** 重置密码 / 停用 / 启用 / 解锁 / 重置动态验证码 */
export type OperatorAction = (typeof operatorActions)[number]

/** An account as the console lists it; times are ISO 8601. */
export const operatorViewSchema = z
  .object({
    id: z.string(),
    username: z.string(),
    role: z.enum(operatorRoles),
    countyCode: z.string().nullable(),
    /** 动态验证码已启用 */
    totpEnabled: z.boolean(),
    /** 下次登录须修改一次性密码 */
    mustChangePassword: z.boolean(),
    /** Wrong passwords or codes in a row since the last success. */
    failedSignIns: z.number(),
    /** 锁定至: set only while the lockout lasts. */
    lockedUntil: z.string().nullable(),
    /** 停用时间 */
    disabledAt: z.string().nullable(),
    createdAt: z.string(),
    /** The last password sign-in, from the audit log. */
    lastSignInAt: z.string().nullable(),
    openSessions: z.number(),
    /** What the signed-in administrator may do to this account now. */
    allowedActions: z.array(z.enum(operatorActions)),
  })
  .openapi('ConsoleOperator')
export type OperatorView = z.infer<typeof operatorViewSchema>

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v)

/** 角色 */
const roleField = z.enum(operatorRoles, '请选择角色：市局管理员、区县承办人或只读查看')

/** 所属区县: required for county_handler, absent for city_admin. */
const countyField = z.preprocess(
  blankToUndefined,
  z
    .string()
    .refine((v) => v in countyNames, '请从列表中选择区县')
    .optional(),
)

/** A role and a county that go together (the operators table checks the same). */
function checkScope(v: { role: string; county?: string | undefined }, ctx: z.RefinementCtx) {
  if (v.role === 'county_handler' && v.county === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['county'],
      message: '区县承办人必须选择所属区县',
    })
  }
  if (v.role === 'city_admin' && v.county !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['county'],
      message: '市局管理员管理全部区县：区县请选“不限（市级）”',
    })
  }
}

/** A new account, as the API and the console's form send it. */
export const newOperatorSchema = z
  .object({
    /** 用户名: 3–32 lowercase letters, digits or _ . - */
    username: z
      .string('请填写用户名')
      .trim()
      .toLowerCase()
      .min(1, '请填写用户名，例如 zhang.san')
      .regex(
        usernamePattern,
        '用户名须为 3–32 位小写字母、数字或 _ . -，并以字母或数字开头，例如 zhang.san',
      ),
    role: roleField,
    county: countyField,
  })
  .superRefine(checkScope)
  .openapi('NewConsoleOperator')

/** An account's new role and county (调整角色和区县). */
export const operatorScopeSchema = z
  .object({ role: roleField, county: countyField })
  .superRefine(checkScope)
  .openapi('ConsoleOperatorScope')

export const operatorActionSchema = z
  .object({
    action: z.enum(
      operatorActions,
      '请选择操作：reset_password 重置密码、disable 停用、enable 启用、unlock 解锁或 reset_totp 重置动态验证码',
    ),
    /** The administrator's own password: required for reset_totp (a change of a second factor). */
    currentPassword: z.string('请填写您的当前密码').max(1024).optional(),
  })
  .openapi('ConsoleOperatorAction')

/** What creating an account or resetting its password answers: the password, this once. */
export const operatorWithPasswordSchema = z
  .object({
    operator: operatorViewSchema,
    oneTimePassword: z.string().openapi({
      description: '一次性密码：只显示这一次，首次登录时必须修改',
    }),
  })
  .openapi('ConsoleOperatorWithPassword')
