import { ApiError } from '../../../api/errors.ts'
import type { SignedInOperator } from '../../../api/services/admin/access.ts'
import { countyNames } from '../../../api/domain/counties.ts'
import { roleLabels } from '../../../api/services/admin/auth/labels.ts'
import { totpMandatory } from '../../../api/services/admin/auth/stages.ts'
import {
  actOnOperatorVerb,
  changeScopeVerb,
  createOperatorVerb,
} from '../../../api/services/admin/operators/console.ts'
import { getOperator, listOperators } from '../../../api/services/admin/operators/list.ts'
import {
  operatorActions,
  type OperatorAction,
  type OperatorView,
} from '../../../api/services/admin/operators/schemas.ts'
import { fieldProblemsOf, InputRefusal, type FieldProblem } from '../../../api/validation.ts'
import { serviceContext } from '../services.ts'
import { formFields, outcomeOf, readForm, textField } from './auth-form.ts'
import { isCsrfRefusal, staleFormMessage, withForm, type ConsoleRequest } from './session.ts'

export const operatorsUrl = '/admin/operators'
export const operatorPageUrl = (id: string) => `${operatorsUrl}/${id}`

export const operatorActionLabels: Record<OperatorAction, string> = {
  reset_password: '重置密码',
  disable: '停用账号',
  enable: '启用账号',
  unlock: '解除锁定',
  reset_totp: '重置动态验证码',
}

export const operatorActionExplanations: Record<OperatorAction, string> = {
  reset_password:
    '生成新的一次性密码，旧密码立即失效；该账号所有已登录的会话随即退出，锁定也一并解除。对方下次登录时必须修改密码。',
  disable: '停用后该账号立即退出所有已登录的会话，也不能再登录，直到重新启用。',
  enable: '启用后该账号可以用原来的密码重新登录。',
  unlock: '清除连续输错的记录和锁定，对方可以立即用正确的密码登录。',
  reset_totp:
    '清除已绑定的动态验证码（例如更换或丢失了手机），该账号所有已登录的会话随即退出。市局管理员下次登录时须重新绑定；其他角色不再需要动态验证码，可自行重新绑定。',
}

/** What the page can have just done: an account action, or a new role and county. */
export type OperatorPageDone = OperatorAction | 'change_scope'

export const operatorDoneLabels: Record<OperatorPageDone, string> = {
  ...operatorActionLabels,
  change_scope: '调整角色和区县',
}

export const scopeExplanation =
  '例如承办人调到其他区县、只读账号改为承办人。调整后该账号所有已登录的会话随即退出，重新登录后只能看到新的范围；改为市局管理员的，登录时须先绑定动态验证码。'

/** "莲都区" or "不限（市级）". */
export const countyLabel = (code: string | null) =>
  code ? (countyNames[code] ?? code) : '不限（市级）'

/** What a row of the list says about the account's state, most pressing first. */
export function accountState(view: OperatorView): string[] {
  const states: string[] = []
  if (view.disabledAt) states.push('已停用')
  if (view.lockedUntil) states.push('已锁定')
  if (view.mustChangePassword) states.push('待修改初始密码')
  return states.length ? states : ['正常']
}

/** How the TOTP column reads; a city_admin without it enrols at the next sign-in. */
export function totpState(view: OperatorView): string {
  if (view.totpEnabled) return '已启用'
  return totpMandatory(view) ? '未绑定（下次登录时绑定）' : '未启用'
}

export const roleOptions = Object.entries(roleLabels).map(([value, label]) => ({ value, label }))
export const countyOptions = [
  { value: '', label: '不限（市级）' },
  ...Object.entries(countyNames).map(([value, label]) => ({ value, label })),
]

const newOperatorFields = ['username', 'role', 'county'] as const
type NewOperatorValues = Record<(typeof newOperatorFields)[number], string>

/** The page's words for an action that is none of its buttons. */
const pickAnAction = '请从下面的按钮中选择一项操作。'

export interface OperatorsPage {
  status: number
  items: OperatorView[]
  values: NewOperatorValues
  problems: FieldProblem[]
  /** The account just created, with its one-time password: shown on this answer only. */
  created?: { operator: OperatorView; oneTimePassword: string }
}

/**
 * The account list's request. POST creates an account and answers with its one-time password
 * in the page itself (no redirect: the password must not travel in an address or be stored).
 */
export async function handleOperatorsRequest(input: {
  request: Request
  operator: SignedInOperator
  console: ConsoleRequest
}): Promise<OperatorsPage> {
  const ctx = serviceContext()
  const { operator } = input
  const values: NewOperatorValues = { username: '', role: '', county: '' }
  const page = async (status: number, extra: Partial<OperatorsPage> = {}) => ({
    status,
    items: await listOperators({ ctx, input: { operator } }),
    values,
    problems: [],
    ...extra,
  })
  if (input.request.method !== 'POST') return page(200)

  const form = await readForm(input.request)
  const staleToken = () => page(403, { problems: [{ field: 'csrf', message: staleFormMessage }] })
  if (!form) return staleToken()
  const typed: NewOperatorValues = { username: '', role: '', county: '' }
  for (const name of newOperatorFields) typed[name] = textField(form, name, 100)
  try {
    const created = await createOperatorVerb({
      ctx,
      request: withForm(input.console, form),
      input: typed,
    })
    return await page(201, { created })
  } catch (error) {
    // A stale page's values are not shown again: the refusal is about the page, not the fields.
    if (isCsrfRefusal(error)) return staleToken()
    Object.assign(values, typed)
    if (!(error instanceof ApiError) || error.status >= 500) throw error
    return page(error.status, {
      problems: outcomeOf(error, newOperatorFields, 'username').problems,
    })
  }
}

export type OperatorPage =
  | { kind: 'redirect'; location: string }
  | { kind: 'missing'; status: 404; message: string }
  | {
      kind: 'shown'
      status: number
      view: OperatorView
      /** The action just done (?done=disable), for the success notice. */
      done?: OperatorPageDone
      refusal?: string
      /** After a password reset: the new one-time password, shown on this answer only. */
      oneTimePassword?: string
      /** A refused new role and county: what was chosen, and what each field needs. */
      scope?: { values: ScopeValues; problems: FieldProblem[] }
    }

interface ScopeValues {
  role: string
  county: string
}

const actionOf = (value: unknown) => operatorActions.find((a) => a === value)
const doneOf = (value: unknown): OperatorPageDone | undefined =>
  value === 'change_scope' ? value : actionOf(value)

/** A refusal's message with what each field needs, for the notice above the forms. */
const refusalText = (error: ApiError) =>
  [
    error instanceof InputRefusal ? '角色或区县有误，请按提示修改后重试。' : error.message,
    ...fieldProblemsOf(error).map((p) => p.message),
  ]
    .filter((m, i, all) => all.indexOf(m) === i)
    .join(' ')

/**
 * One account's request. POST carries one action; a done action answers 303 back to the page
 * (a reload does not repeat it), except a password reset, whose new password is shown at once.
 */
export async function handleOperatorRequest(input: {
  request: Request
  url: URL
  id: string
  operator: SignedInOperator
  console: ConsoleRequest
}): Promise<OperatorPage> {
  const ctx = serviceContext()
  const { operator, id } = input
  const show = async (status: number, extra: Partial<Extract<OperatorPage, { kind: 'shown' }>>) =>
    ({
      kind: 'shown',
      status,
      view: await getOperator({ ctx, input: { operator, id } }),
      ...extra,
    }) as const
  try {
    if (input.request.method !== 'POST') {
      const done = doneOf(input.url.searchParams.get('done'))
      return await show(200, done ? { done } : {})
    }
    const form = await readForm(input.request)
    if (!form) return await show(403, { refusal: staleFormMessage })
    const request = withForm(input.console, form)
    if (form.get('intent') === 'scope') {
      const values = { role: textField(form, 'role', 40), county: textField(form, 'county', 10) }
      try {
        await changeScopeVerb({ ctx, request, input: { id, fields: values } })
        return { kind: 'redirect', location: `${operatorPageUrl(id)}?done=change_scope` }
      } catch (error) {
        if (isCsrfRefusal(error)) return await show(403, { refusal: staleFormMessage })
        if (!(error instanceof ApiError) || error.code === 'NOT_FOUND' || error.status >= 500) {
          throw error
        }
        const problems =
          error.code === 'VALIDATION_FAILED'
            ? outcomeOf(error, ['role', 'county'], 'role').problems
            : []
        return await show(error.status, {
          refusal: refusalText(error),
          scope: { values, problems },
        })
      }
    }
    try {
      const done = await actOnOperatorVerb({
        ctx,
        request,
        input: { id, fields: formFields(form, ['action', 'currentPassword']) },
      })
      const { action } = done
      if (done.oneTimePassword) {
        const { oneTimePassword } = done
        return { kind: 'shown', status: 200, view: done.operator, done: action, oneTimePassword }
      }
      return { kind: 'redirect', location: `${operatorPageUrl(id)}?done=${action}` }
    } catch (error) {
      if (isCsrfRefusal(error)) return await show(403, { refusal: staleFormMessage })
      if (!(error instanceof ApiError) || error.code === 'NOT_FOUND' || error.status >= 500) {
        throw error
      }
      // An action that is none of the buttons: the verb's own words for it, not the summary.
      const refusal =
        error.code === 'VALIDATION_FAILED'
          ? outcomeOf(error, ['action'], '')
              .problems.map((p) =>
                error instanceof InputRefusal && p.field === 'action' ? pickAnAction : p.message,
              )
              .join(' ')
          : error.message
      return await show(error.status, { refusal })
    }
  } catch (error) {
    if (error instanceof ApiError && error.code === 'NOT_FOUND') {
      return { kind: 'missing', status: 404, message: error.message }
    }
    throw error
  }
}
