import { beijingDate } from '../../../api/domain/beijing-time.ts'
import { ApiError } from '../../../api/errors.ts'
import { visitNotFoundMessage } from '../../../api/services/admin/visits/access.ts'
import {
  addVisitPhotosInConsole,
  getVisitInConsole,
  recordVisitInConsole,
} from '../../../api/services/admin/visits/console.ts'
import { StaleVisit } from '../../../api/services/admin/visits/record.ts'
import type { VisitDetail } from '../../../api/services/admin/visits/schemas.ts'
import {
  fieldProblemsOf,
  formRefusalMessage,
  InputRefusal,
  type FieldProblem,
} from '../../../api/validation.ts'
import { serviceContext } from '../services.ts'
import { isCsrfRefusal, staleFormMessage, withForm, type ConsoleRequest } from './session.ts'
import {
  fieldsOfState,
  pageField,
  stateOfForm,
  stateOfVisit,
  type VisitFormState,
} from './visits-form.ts'

const visitPageUrl = (id: string) => `/admin/visits/${id}`

/** What a done post says on the page it is sent back to. */
const doneNotices = {
  saved: '检查记录已保存。检查结果已公开，公开搜索几秒内更新，公开页面约两分钟内更新。',
  photos: '照片已上传（已去除拍摄地点等信息，仅后台可见）。',
} as const
type Done = keyof typeof doneNotices

export type VisitPage =
  | { kind: 'redirect'; location: string }
  | { kind: 'missing'; status: 404; message: string }
  | {
      kind: 'shown'
      /** 200; 400, 403 or 409 after a refused POST. */
      status: number
      view: VisitDetail
      form: VisitFormState
      notice?: string
      refusal?: {
        message: string
        /** Someone else saved the visit since this form was shown. */
        stale: boolean
        /** Which form it concerns: the record or the photo upload. */
        about: 'record' | 'photos'
        problems: FieldProblem[]
      }
    }

/** An id that is no visit's (malformed, unknown or out of reach): the page answers 404. */
function missingVisit(error: unknown): boolean {
  if (error instanceof ApiError && error.code === 'NOT_FOUND') return true
  return error instanceof InputRefusal && error.target === 'param'
}

async function photosOf(form: FormData) {
  const photos = []
  for (const value of form.getAll('photos')) {
    if (!(value instanceof File)) continue
    photos.push({
      name: value.name,
      declaredType: value.type,
      bytes: new Uint8Array(await value.arrayBuffer()),
    })
  }
  return photos
}

/**
 * The visit page's request. GET shows the visit and, to who may write it, its form. POST carries
 * `intent`: `rows` shows the form again as typed with three more instrument rows (no script
 * needed), `save` saves the record, `photos` uploads photos (multipart). A done save answers 303
 * back to the page; a refused one shows the form as typed with the problems, except after a
 * colleague's save, when it shows the visit as it is now.
 */
export async function handleVisitRequest(input: {
  request: Request
  url: URL
  id: string
  console: ConsoleRequest
}): Promise<VisitPage> {
  const ctx = serviceContext()
  const { id } = input
  const load = () => getVisitInConsole({ ctx, request: input.console, input: { id } })
  try {
    if (input.request.method !== 'POST') {
      const view = await load()
      const done = input.url.searchParams.get('done')
      const notice = done && done in doneNotices ? doneNotices[done as Done] : undefined
      return {
        kind: 'shown',
        status: 200,
        view,
        form: stateOfVisit(view, beijingDate()),
        ...(notice ? { notice } : {}),
      }
    }
    const form = await input.request.formData().catch(() => null)
    if (!form) {
      const view = await load()
      return {
        kind: 'shown',
        status: 400,
        view,
        form: stateOfVisit(view, beijingDate()),
        refusal: {
          message: '提交的内容无法读取，请刷新页面后重试。',
          stale: false,
          about: 'record',
          problems: [],
        },
      }
    }
    return await handlePost(input, form, load)
  } catch (error) {
    if (missingVisit(error)) return { kind: 'missing', status: 404, message: visitNotFoundMessage }
    throw error
  }
}

async function handlePost(
  input: Parameters<typeof handleVisitRequest>[0],
  form: FormData,
  load: () => Promise<VisitDetail>,
): Promise<VisitPage> {
  const ctx = serviceContext()
  const { id } = input
  const request = withForm(input.console, form)
  const intent = form.get('intent')
  const state = stateOfForm(form, intent === 'rows')
  if (intent === 'rows') {
    // Nothing is saved: the same form, as typed, with more rows. The session is still checked.
    return { kind: 'shown', status: 200, view: await load(), form: state }
  }
  const about = intent === 'photos' ? 'photos' : 'record'
  let rowOf: number[] = []
  try {
    if (about === 'photos') {
      const photos = await photosOf(form)
      await addVisitPhotosInConsole({ ctx, request, input: { id, photos } })
      return { kind: 'redirect', location: `${visitPageUrl(id)}?done=photos#photos` }
    }
    const version = form.get('version')
    const sent = fieldsOfState(state, typeof version === 'string' ? version : '')
    rowOf = sent.rowOf
    await recordVisitInConsole({ ctx, request, input: { id, fields: sent.fields } })
    return { kind: 'redirect', location: `${visitPageUrl(id)}?done=saved` }
  } catch (error) {
    if (isCsrfRefusal(error)) {
      const view = await load()
      return {
        kind: 'shown',
        status: 403,
        view,
        form: about === 'record' ? state : stateOfVisit(view, beijingDate()),
        refusal: { message: staleFormMessage, stale: false, about, problems: [] },
      }
    }
    if (!(error instanceof ApiError) || error.status >= 500 || missingVisit(error)) throw error
    if (error instanceof StaleVisit) {
      // What was typed would overwrite the colleague's save: the form starts from theirs.
      return {
        kind: 'shown',
        status: 409,
        view: error.current,
        form: stateOfVisit(error.current, beijingDate()),
        refusal: { message: error.message, stale: true, about, problems: [] },
      }
    }
    const view = await load()
    const problems = fieldProblemsOf(error).map((p) => ({
      field: about === 'record' ? pageField(p.field, rowOf) : 'photos',
      message: p.message,
    }))
    return {
      kind: 'shown',
      status: error.status,
      view,
      form: about === 'record' ? state : stateOfVisit(view, beijingDate()),
      refusal: { message: formRefusalMessage(error), stale: false, about, problems },
    }
  }
}
