import { ApiError } from '../../../api/errors.ts'
import { enterpriseActions } from '../../../api/services/admin/enterprises/actions.ts'
import { changeEnterpriseInConsole } from '../../../api/services/admin/enterprises/console.ts'
import { enterpriseNotFoundMessage } from '../../../api/services/admin/enterprises/change.ts'
import { getConsoleEnterprise } from '../../../api/services/admin/enterprises/get.ts'
import { fieldProblemsOf, type FieldProblem } from '../../../api/validation.ts'
import type {
  ConsoleEnterprise,
  EnterpriseAction,
} from '../../../api/services/admin/enterprises/schemas.ts'
import { serviceContext } from '../services.ts'
import { postedFields, readForm } from './auth-form.ts'
import {
  isCsrfRefusal,
  missingPageMessage,
  staleFormMessage,
  withForm,
  type ConsoleRequest,
} from './session.ts'

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
  const staleToken = () =>
    show(403, { refusal: { message: staleFormMessage, stale: false, problems: [], values: {} } })
  try {
    if (input.request.method !== 'POST') {
      const done = actionOf(input.url.searchParams.get('done'))
      return await show(200, done ? { done } : {})
    }
    const form = await readForm(input.request)
    if (!form) return await staleToken()
    const values = postedFields(form)
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
      const missing = missingPageMessage(error, '') !== undefined
      if (!(error instanceof ApiError) || error.status >= 500 || missing) throw error
      const stale = (error.details as { reason?: string } | undefined)?.reason === 'stale'
      const refusal: Refusal = {
        message: error.message,
        stale,
        // A whole-form problem is the refusal's message already.
        problems: fieldProblemsOf(error).filter((d) => d.field),
        values: stale ? {} : values,
        ...(action && !stale ? { action } : {}),
      }
      return await show(error.status, { refusal })
    }
  } catch (error) {
    const missing = missingPageMessage(error, enterpriseNotFoundMessage(uscc))
    if (missing) return { kind: 'missing', status: 404, message: missing }
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
