import { ApiError } from '../../../api/errors.ts'
import { stalePenaltyMessage } from '../../../api/services/admin/penalties/edit.ts'
import {
  editPenaltyInConsole,
  enterPenaltyInConsole,
  getPenaltyInConsole,
  listPenaltiesInConsole,
} from '../../../api/services/admin/penalties/console.ts'
import type { PenaltyList, PenaltyView } from '../../../api/services/admin/penalties/schemas.ts'
import { penaltyNotFoundMessage } from '../../../api/services/admin/penalties/access.ts'
import { fieldProblemsOf, InputRefusal, type FieldProblem } from '../../../api/validation.ts'
import { serviceContext } from '../services.ts'
import { filterHref, formFields, outcomeOf, readForm } from './auth-form.ts'
import { isCsrfRefusal, withForm, type ConsoleRequest } from './session.ts'

// 行政处罚 pages (issue 22): thin adapters from a page's GET or form post to the console verbs
// the API calls too (api/services/admin/penalties/console.ts).

export const penaltiesUrl = '/admin/penalties'
export const newPenaltyUrl = '/admin/penalties/new'
export const penaltyUrl = (id: string) => `${penaltiesUrl}/${encodeURIComponent(id)}`

const filterNames = ['q', 'county', 'state'] as const
type FilterName = (typeof filterNames)[number]

/** The fields of a decision, as the entry and edit forms send them. */
const decisionFieldNames = [
  'decisionNo',
  'decidedOn',
  'kind',
  'violation',
  'penalty',
  'legalBasis',
  'caseTrackingNo',
] as const
const entryFieldNames = ['uscc', 'name', 'county', 'sector', 'address', ...decisionFieldNames]
const editFieldNames = ['version', 'reason', ...decisionFieldNames]

const csrfMessage = '页面已过期（安全令牌无效），请刷新页面后重新提交。'

export interface PenaltyListPage {
  status: number
  values: Record<FilterName, string>
  problems: FieldProblem[]
  result?: PenaltyList
}

export const penaltyListUrl = (values: Record<FilterName, string>, page: number) =>
  filterHref(penaltiesUrl, values, page)

/** The list for the filters in the address (a plain GET form). */
export async function loadPenaltyList(url: URL, request: ConsoleRequest): Promise<PenaltyListPage> {
  const values = Object.fromEntries(
    filterNames.map((n) => [n, (url.searchParams.get(n) ?? '').slice(0, 200)]),
  ) as Record<FilterName, string>
  const raw = Object.fromEntries(
    [...filterNames, 'page' as const]
      .map((n) => [n, url.searchParams.get(n) ?? ''] as const)
      .filter(([, v]) => v !== ''),
  )
  try {
    const result = await listPenaltiesInConsole({ ctx: serviceContext(), request, input: raw })
    return { status: 200, values, problems: [], result }
  } catch (error) {
    if (error instanceof ApiError && error.code === 'VALIDATION_FAILED') {
      return { status: 400, values, problems: fieldProblemsOf(error) }
    }
    if (error instanceof ApiError && error.status < 500) {
      return { status: error.status, values, problems: [{ field: 'q', message: error.message }] }
    }
    throw error
  }
}

export type EntryPage =
  | { kind: 'redirect'; location: string }
  | { kind: 'form'; status: number; values: Record<string, string>; problems: FieldProblem[] }

/** The entry form: GET shows it; POST enters the penalty and goes to its page (303). */
export async function handlePenaltyEntry(input: {
  request: Request
  console: ConsoleRequest
}): Promise<EntryPage> {
  if (input.request.method !== 'POST')
    return { kind: 'form', status: 200, values: {}, problems: [] }
  const form = await readForm(input.request)
  if (!form) {
    return {
      kind: 'form',
      status: 400,
      values: {},
      problems: [{ field: 'uscc', message: '提交的内容无法读取，请刷新页面后重试。' }],
    }
  }
  const fields = formFields(form, entryFieldNames)
  try {
    const view = await enterPenaltyInConsole({
      ctx: serviceContext(),
      request: withForm(input.console, form),
      input: fields,
    })
    return { kind: 'redirect', location: `${penaltyUrl(view.id)}?done=created` }
  } catch (error) {
    if (isCsrfRefusal(error)) {
      return {
        kind: 'form',
        status: 403,
        values: fields,
        problems: [{ field: 'uscc', message: csrfMessage }],
      }
    }
    const outcome = outcomeOf(error, entryFieldNames, 'uscc')
    if (outcome.status >= 500) throw error
    return { kind: 'form', status: outcome.status, values: fields, problems: outcome.problems }
  }
}

export type PenaltyPage =
  | { kind: 'redirect'; location: string }
  | {
      kind: 'shown'
      status: number
      view: PenaltyView
      done?: 'created' | 'edited'
      /** A refused edit: its message, its fields' problems, and the values to fill in again. */
      refusal?: { message: string; problems: FieldProblem[]; stale: boolean }
      values?: Record<string, string>
    }
  | { kind: 'missing'; status: 404; message: string }

function isMissing(error: unknown) {
  return (
    error instanceof ApiError &&
    (error.code === 'NOT_FOUND' || (error instanceof InputRefusal && error.target === 'param'))
  )
}

/** One penalty: GET shows it; POST edits it (303 back on success). */
export async function handlePenaltyPage(input: {
  request: Request
  url: URL
  id: string
  console: ConsoleRequest
}): Promise<PenaltyPage> {
  const ctx = serviceContext()
  const load = () => getPenaltyInConsole({ ctx, request: input.console, input: { id: input.id } })
  try {
    if (input.request.method !== 'POST') {
      const asked = input.url.searchParams.get('done')
      const done = asked === 'created' || asked === 'edited' ? asked : undefined
      return { kind: 'shown', status: 200, view: await load(), ...(done ? { done } : {}) }
    }
    const form = await readForm(input.request)
    const fields = form ? formFields(form, editFieldNames) : {}
    try {
      if (!form) throw new ApiError('VALIDATION_FAILED', '提交的内容无法读取，请刷新页面后重试。')
      await editPenaltyInConsole({
        ctx,
        request: withForm(input.console, form),
        input: { id: input.id, fields },
      })
      return { kind: 'redirect', location: `${penaltyUrl(input.id)}?done=edited` }
    } catch (error) {
      if (isMissing(error)) throw error
      if (isCsrfRefusal(error)) {
        const refusal = { message: csrfMessage, problems: [], stale: false }
        return { kind: 'shown', status: 403, view: await load(), refusal, values: fields }
      }
      if (!(error instanceof ApiError) || error.status >= 500) throw error
      // A stale form's values would overwrite what the colleague did: it starts afresh.
      const stale = error.message === stalePenaltyMessage
      const outcome = outcomeOf(error, editFieldNames, 'reason')
      return {
        kind: 'shown',
        status: outcome.status,
        view: await load(),
        refusal: { message: error.message, problems: stale ? [] : outcome.problems, stale },
        ...(stale ? {} : { values: fields }),
      }
    }
  } catch (error) {
    if (isMissing(error)) return { kind: 'missing', status: 404, message: penaltyNotFoundMessage }
    throw error
  }
}
