import { ApiError } from '../../../api/errors.ts'
import { warningNotFoundMessage } from '../../../api/services/admin/warnings/access.ts'
import {
  actOnWarningInConsole,
  getWarningInConsole,
  listThresholdsInConsole,
  listWarningsInConsole,
  removeThresholdInConsole,
  setThresholdInConsole,
} from '../../../api/services/admin/warnings/console.ts'
import type {
  ThresholdList,
  WarningDetail,
  WarningList,
} from '../../../api/services/admin/warnings/schemas.ts'
import { fieldProblemsOf, type FieldProblem } from '../../../api/validation.ts'
import { serviceContext } from '../services.ts'
import { filterHref, formFields, outcomeOf, readForm, unreadableFormMessage } from './auth-form.ts'
import {
  isCsrfRefusal,
  missingPageMessage,
  staleFormMessage,
  withForm,
  type ConsoleRequest,
} from './session.ts'

// 预警 pages (issue 24): thin adapters from a page's GET or form post to the console verbs the
// API calls too (api/services/admin/warnings/console.ts).

export const warningsUrl = '/admin/warnings'
export const thresholdsUrl = '/admin/warnings/thresholds'
export const warningUrl = (id: string) => `${warningsUrl}/${encodeURIComponent(id)}`

const filterNames = ['state', 'county'] as const
type FilterName = (typeof filterNames)[number]

export interface WarningListPage {
  status: number
  values: Record<FilterName, string>
  problems: FieldProblem[]
  result?: WarningList
}

export const warningListUrl = (values: Record<FilterName, string>, page: number) =>
  filterHref(warningsUrl, values, page)

/** The list for the filters in the address (a plain GET form). */
export async function loadWarningList(url: URL, request: ConsoleRequest): Promise<WarningListPage> {
  const values = Object.fromEntries(
    filterNames.map((n) => [n, (url.searchParams.get(n) ?? '').slice(0, 20)]),
  ) as Record<FilterName, string>
  const raw = Object.fromEntries(
    [...filterNames, 'page' as const]
      .map((n) => [n, url.searchParams.get(n) ?? ''] as const)
      .filter(([, v]) => v !== ''),
  )
  try {
    const result = await listWarningsInConsole({ ctx: serviceContext(), request, input: raw })
    return { status: 200, values, problems: [], result }
  } catch (error) {
    if (error instanceof ApiError && error.code === 'VALIDATION_FAILED') {
      return { status: 400, values, problems: fieldProblemsOf(error) }
    }
    if (error instanceof ApiError && error.status < 500) {
      return {
        status: error.status,
        values,
        problems: [{ field: 'state', message: error.message }],
      }
    }
    throw error
  }
}

const actionFieldNames = ['action', 'version', 'handling', 'note', 'reason'] as const
const doneActions = ['acknowledge', 'handle', 'dismiss'] as const
type WarningDone = (typeof doneActions)[number]

export type WarningPage =
  | { kind: 'redirect'; location: string }
  | {
      kind: 'shown'
      status: number
      view: WarningDetail
      done?: WarningDone | undefined
      /** A refused action: which, its message, its fields' problems, the values sent. */
      refusal?: {
        action: string
        message: string
        problems: FieldProblem[]
        stale: boolean
        values: Record<string, string>
      }
    }
  | { kind: 'missing'; status: 404; message: string }

/** One warning: GET shows it; POST acts on it (303 back to it on success). */
export async function handleWarningPage(input: {
  request: Request
  url: URL
  id: string
  console: ConsoleRequest
}): Promise<WarningPage> {
  const ctx = serviceContext()
  const load = () => getWarningInConsole({ ctx, request: input.console, input: { id: input.id } })
  try {
    if (input.request.method !== 'POST') {
      const asked = input.url.searchParams.get('done')
      const done = doneActions.find((a) => a === asked)
      return { kind: 'shown', status: 200, view: await load(), done }
    }
    const form = await readForm(input.request)
    const fields = form ? formFields(form, actionFieldNames) : {}
    const action = fields.action ?? ''
    try {
      if (!form) throw new ApiError('VALIDATION_FAILED', unreadableFormMessage)
      await actOnWarningInConsole({
        ctx,
        request: withForm(input.console, form),
        input: { id: input.id, fields },
      })
      return { kind: 'redirect', location: `${warningUrl(input.id)}?done=${action}` }
    } catch (error) {
      if (missingPageMessage(error, warningNotFoundMessage) !== undefined) throw error
      if (isCsrfRefusal(error)) {
        const refusal = {
          action,
          message: staleFormMessage,
          problems: [],
          stale: false,
          values: fields,
        }
        return { kind: 'shown', status: 403, view: await load(), refusal }
      }
      if (!(error instanceof ApiError) || error.status >= 500) throw error
      // A warning someone else changed (or closed) is shown as it is now; the form starts afresh.
      const stale = error.code === 'CONFLICT'
      const outcome = outcomeOf(error, actionFieldNames, 'action')
      return {
        kind: 'shown',
        status: outcome.status,
        view: await load(),
        refusal: {
          action,
          message: error.message,
          problems: stale ? [] : outcome.problems,
          stale,
          values: stale ? {} : fields,
        },
      }
    }
  } catch (error) {
    const message = missingPageMessage(error, warningNotFoundMessage)
    if (message !== undefined) return { kind: 'missing', status: 404, message }
    throw error
  }
}

const thresholdFieldNames = [
  'subjectKind',
  'county',
  'windowHours',
  'minCount',
  'severity',
] as const

export type ThresholdsPage =
  | { kind: 'redirect'; location: string }
  | {
      kind: 'shown'
      status: number
      list: ThresholdList
      done?: 'set' | 'removed' | undefined
      problems: FieldProblem[]
      values: Record<string, string>
    }

/** The thresholds: GET lists them; POST sets one (intent=set) or removes one (intent=remove). */
export async function handleThresholdsPage(input: {
  request: Request
  url: URL
  console: ConsoleRequest
}): Promise<ThresholdsPage> {
  const ctx = serviceContext()
  const load = () => listThresholdsInConsole({ ctx, request: input.console, input: {} })
  if (input.request.method !== 'POST') {
    const asked = input.url.searchParams.get('done')
    const done = asked === 'set' || asked === 'removed' ? asked : undefined
    return { kind: 'shown', status: 200, list: await load(), done, problems: [], values: {} }
  }
  const form = await readForm(input.request)
  const fields = form ? formFields(form, thresholdFieldNames) : {}
  try {
    if (!form) throw new ApiError('VALIDATION_FAILED', unreadableFormMessage)
    const request = withForm(input.console, form)
    if (form.get('intent') === 'remove') {
      const id = form.get('id')
      await removeThresholdInConsole({
        ctx,
        request,
        input: { id: typeof id === 'string' ? id : '' },
      })
      return { kind: 'redirect', location: `${thresholdsUrl}?done=removed` }
    }
    await setThresholdInConsole({ ctx, request, input: fields })
    return { kind: 'redirect', location: `${thresholdsUrl}?done=set` }
  } catch (error) {
    if (isCsrfRefusal(error)) {
      const problems = [{ field: 'subjectKind', message: staleFormMessage }]
      return { kind: 'shown', status: 403, list: await load(), problems, values: fields }
    }
    const outcome = outcomeOf(error, thresholdFieldNames, 'subjectKind')
    if (outcome.status >= 500) throw error
    const problems = outcome.problems
    return { kind: 'shown', status: outcome.status, list: await load(), problems, values: fields }
  }
}
