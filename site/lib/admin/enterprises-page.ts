import { ApiError } from '../../../api/errors.ts'
import { enterpriseActions } from '../../../api/services/admin/enterprises/actions.ts'
import { changeEnterpriseInConsole } from '../../../api/services/admin/enterprises/console.ts'
import { enterpriseNotFoundMessage } from '../../../api/services/admin/enterprises/change.ts'
import { getConsoleEnterprise } from '../../../api/services/admin/enterprises/get.ts'
import { fieldProblemsOf, InputRefusal, type FieldProblem } from '../../../api/validation.ts'
import type {
  ConsoleEnterprise,
  EnterpriseAction,
} from '../../../api/services/admin/enterprises/schemas.ts'
import { serviceContext } from '../services.ts'
import { isCsrfRefusal, withForm, type ConsoleRequest } from './session.ts'

export type EnterprisePage =
  | { kind: 'redirect'; location: string }
  | { kind: 'missing'; status: 404; message: string }
  | {
      kind: 'shown'
      /** 200; 400, 403 or 409 after a refused POST. */
      status: number
      view: ConsoleEnterprise
      /** The action just done (?done=suspend), for the success notice. */
      done?: EnterpriseAction
      refusal?: Refusal
    }

interface Refusal {
  message: string
  /** Someone else changed the business since the page was shown. */
  stale: boolean
  /** The form the refusal concerns, to show its problems and values again. */
  action?: EnterpriseAction
  problems: FieldProblem[]
  values: Record<string, string>
}

export const enterprisePageUrl = (uscc: string) => `/admin/enterprises/${uscc}`

/** The problems that name a field (a whole-form one is the refusal's message already). */
const problemsOf = (error: ApiError): FieldProblem[] =>
  fieldProblemsOf(error).filter((d) => d.field)

const actionOf = (value: unknown) => enterpriseActions.find((a) => a === value)

/**
 * The enterprise page's request. GET shows the business; POST carries one action with its
 * reason. A done action answers 303 back to the page (a reload does not repeat it); a refused one
 * shows the business as it is now, with the reason, and a stale form starts afresh rather than
 * carry values that would overwrite a colleague's change.
 */
export async function handleEnterpriseRequest(input: {
  request: Request
  url: URL
  uscc: string
  console: ConsoleRequest
}): Promise<EnterprisePage> {
  const uscc = input.uscc.trim().toUpperCase()
  const ctx = serviceContext()
  const show = async (status: number, extra: Partial<Extract<EnterprisePage, { kind: 'shown' }>>) =>
    ({
      kind: 'shown',
      status,
      view: await getConsoleEnterprise({ ctx, input: { uscc } }),
      ...extra,
    }) as const
  try {
    if (input.request.method !== 'POST') {
      const done = actionOf(input.url.searchParams.get('done'))
      return await show(200, done ? { done } : {})
    }
    const form = await input.request.formData().catch(() => null)
    const staleToken = () => {
      const message = '页面已过期（安全令牌无效），请刷新页面后重新操作。'
      return show(403, { refusal: { message, stale: false, problems: [], values: {} } })
    }
    if (!form) return await staleToken()
    const values: Record<string, string> = {}
    for (const [name, value] of form) {
      if (typeof value === 'string' && name !== 'csrf') values[name] = value
    }
    const action = actionOf(values.action)
    try {
      await changeEnterpriseInConsole({
        ctx,
        request: withForm(input.console, form),
        input: { uscc, fields: values },
      })
      return { kind: 'redirect', location: `${enterprisePageUrl(uscc)}?done=${action ?? ''}` }
    } catch (error) {
      if (isCsrfRefusal(error)) return await staleToken()
      const malformed = error instanceof InputRefusal && error.target === 'param'
      if (
        !(error instanceof ApiError) ||
        error.code === 'NOT_FOUND' ||
        malformed ||
        error.status >= 500
      ) {
        throw error
      }
      const stale = (error.details as { reason?: string } | undefined)?.reason === 'stale'
      const refusal: Refusal = {
        message: error.message,
        stale,
        problems: problemsOf(error),
        values: stale ? {} : values,
        ...(action && !stale ? { action } : {}),
      }
      return await show(error.status, { refusal })
    }
  } catch (error) {
    if (error instanceof ApiError && error.code === 'NOT_FOUND') {
      return { kind: 'missing', status: 404, message: error.message }
    }
    // A code that cannot be one: the verb refuses it with the API's path message, and no
    // business has it, as the action itself said before the verb checked the path.
    if (error instanceof InputRefusal && error.target === 'param') {
      return { kind: 'missing', status: 404, message: enterpriseNotFoundMessage(uscc) }
    }
    throw error
  }
}

/** Where a history entry came from, for people: `console:zhang` → 后台（zhang）. */
export function sourceLabel(source: string): string {
  const [kind = '', ...rest] = source.split(':')
  const detail = rest.join(':')
  switch (kind) {
    case 'console':
      return `后台（${detail}）`
    case 'import':
      return `名单导入（${detail}）`
    case 'system':
      return detail === 'expiry' ? '系统（有效期届满）' : '系统'
    case 'demo':
      return '演示数据'
    default:
      return source
  }
}
