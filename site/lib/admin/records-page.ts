import { ApiError } from '../../../api/errors.ts'
import {
  decideObjectionInConsole,
  getRecordInConsole,
  listRecordsInConsole,
  recordCommitmentInConsole,
  recordObjectionInConsole,
  withdrawCommitmentInConsole,
} from '../../../api/services/admin/records/console.ts'
import { recordNotFoundMessage } from '../../../api/services/admin/records/access.ts'
import type { ConsoleRecord, RecordsPage } from '../../../api/services/admin/records/schemas.ts'
import {
  fieldProblemsOf,
  formRefusalMessage,
  InputRefusal,
  type FieldProblem,
} from '../../../api/validation.ts'
import type { ConsoleCall } from '../../../api/services/admin/console-request.ts'
import { serviceContext } from '../services.ts'
import { isCsrfRefusal, staleFormMessage, withForm, type ConsoleRequest } from './session.ts'

export const recordsUrl = '/admin/records'
export const recordPageUrl = (uscc: string) => `${recordsUrl}/${uscc}`

export interface RecordsList {
  status: number
  q: string
  page: number
  problems: FieldProblem[]
  result?: RecordsPage
}

/** The list page: a search by code or name, and the certified businesses yet to sign. */
export async function loadRecordsList(url: URL, request: ConsoleRequest): Promise<RecordsList> {
  const q = (url.searchParams.get('q') ?? '').slice(0, 200)
  const pageText = url.searchParams.get('page') ?? ''
  const raw = { ...(q ? { q } : {}), ...(pageText ? { page: pageText } : {}) }
  try {
    const result = await listRecordsInConsole({ ctx: serviceContext(), request, input: raw })
    return { status: 200, q, page: result.uncommitted.page, problems: [], result }
  } catch (error) {
    if (error instanceof ApiError && error.status < 500) {
      const problems = fieldProblemsOf(error)
      return {
        status: error.code === 'VALIDATION_FAILED' ? 400 : error.status,
        q,
        page: 1,
        problems: problems.length > 0 ? problems : [{ field: 'q', message: error.message }],
      }
    }
    throw error
  }
}

/** The page's forms, each posting `intent` and its fields. */
const recordIntents = ['commit', 'withdraw', 'object', 'decide'] as const
export type RecordIntent = (typeof recordIntents)[number]

const doneMessages: Record<RecordIntent, string> = {
  commit: '已记录自我承诺。',
  withdraw: '已撤回这份承诺。',
  object: '已登记异议，请核实后处理。',
  decide: '已处理异议。',
}

export type RecordPage =
  | { kind: 'redirect'; location: string }
  | { kind: 'missing'; status: 404; message: string }
  | {
      kind: 'shown'
      /** 200; 400, 403 or 409 after a refused post. */
      status: number
      view: ConsoleRecord
      /** What was just done (?done=commit), for the success notice. */
      done?: string
      refusal?: RecordRefusal
    }

interface RecordRefusal {
  message: string
  /** Someone else changed it since the page was shown: the form starts afresh. */
  stale: boolean
  /** The form the refusal concerns (`withdraw-12`, `decide-7`, `commit`, `object`). */
  form: string
  problems: FieldProblem[]
  values: Record<string, string>
}

/** The form's id on the page: one per commitment and per objection. */
export const formId = (intent: RecordIntent, id?: string) => (id ? `${intent}-${id}` : intent)

const verbs: Record<RecordIntent, (call: ConsoleCall) => Promise<unknown>> = {
  commit: recordCommitmentInConsole,
  withdraw: withdrawCommitmentInConsole,
  object: recordObjectionInConsole,
  decide: decideObjectionInConsole,
}

/** Where a verb's path parameters come from on the page's form. */
const pathOf = (intent: RecordIntent, uscc: string, id: string) =>
  intent === 'withdraw'
    ? { uscc, commitmentId: id }
    : intent === 'decide'
      ? { uscc, objectionId: id }
      : { uscc }

/**
 * The record page's request. GET shows the record; POST carries `intent` (commit, withdraw,
 * object, decide) and the form's fields, answered 303 back to the page when done (a reload does
 * not repeat it). A refused post shows the record as it is now with the reason; a stale form
 * starts afresh rather than carry values over a colleague's decision.
 */
export async function handleRecordRequest(input: {
  request: Request
  url: URL
  uscc: string
  console: ConsoleRequest
}): Promise<RecordPage> {
  const uscc = input.uscc.trim().toUpperCase()
  const ctx = serviceContext()
  const show = async (status: number, extra: { done?: string; refusal?: RecordRefusal }) => ({
    kind: 'shown' as const,
    status,
    view: await getRecordInConsole({ ctx, request: input.console, input: { uscc } }),
    ...extra,
  })
  try {
    if (input.request.method !== 'POST') {
      const done = recordIntents.find((i) => i === input.url.searchParams.get('done'))
      return await show(200, done ? { done: doneMessages[done] } : {})
    }
    const form = await input.request.formData().catch(() => null)
    const values: Record<string, string> = {}
    for (const [name, value] of form ?? []) {
      if (typeof value === 'string' && name !== 'csrf') values[name] = value
    }
    const intent = recordIntents.find((i) => i === values.intent)
    const id = values.id ?? ''
    const refusal = (message: string, extra: Partial<RecordRefusal> = {}): RecordRefusal => ({
      message,
      stale: false,
      form: intent ? formId(intent, id || undefined) : '',
      problems: [],
      values: {},
      ...extra,
    })
    if (!form) return await show(403, { refusal: refusal(staleFormMessage) })
    if (!intent) {
      return await show(400, { refusal: refusal('请从页面上的表单提交。') })
    }
    try {
      // The page's own fields (which form, which row) are not the verb's.
      const fields = Object.fromEntries(
        Object.entries(values).filter(([name]) => name !== 'intent' && name !== 'id'),
      )
      await verbs[intent]({
        ctx,
        request: withForm(input.console, form),
        input: { ...pathOf(intent, uscc, id), fields },
      })
      return { kind: 'redirect', location: `${recordPageUrl(uscc)}?done=${intent}` }
    } catch (error) {
      if (isCsrfRefusal(error)) return await show(403, { refusal: refusal(staleFormMessage) })
      if (!(error instanceof ApiError) || error.code === 'NOT_FOUND' || error.status >= 500) {
        throw error
      }
      // A malformed id of a commitment or objection: the form was not the page's.
      if (error instanceof InputRefusal && error.target === 'param') {
        return await show(400, { refusal: refusal('请从页面上的表单提交。') })
      }
      const stale = (error.details as { reason?: string } | undefined)?.reason === 'stale_version'
      return await show(error.status, {
        refusal: refusal(formRefusalMessage(error), {
          stale,
          problems: fieldProblemsOf(error).filter((p) => p.field),
          values: stale ? {} : values,
        }),
      })
    }
  } catch (error) {
    if (error instanceof ApiError && error.code === 'NOT_FOUND') {
      return { kind: 'missing', status: 404, message: error.message }
    }
    if (error instanceof InputRefusal && error.target === 'param') {
      return { kind: 'missing', status: 404, message: recordNotFoundMessage }
    }
    throw error
  }
}
