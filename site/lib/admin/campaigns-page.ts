import { ApiError } from '../../../api/errors.ts'
import { staleCampaignMessage } from '../../../api/services/admin/campaigns/access.ts'
import {
  createCampaignInConsole,
  drawCampaignInConsole,
  getCampaignInConsole,
  listCampaignsInConsole,
  listRecusalsInConsole,
  publishCampaignInConsole,
  recordRecusalInConsole,
  withdrawRecusalInConsole,
} from '../../../api/services/admin/campaigns/console.ts'
import type {
  CampaignDetail,
  CampaignList,
  RecusalList,
} from '../../../api/services/admin/campaigns/schemas.ts'
import { campaignFormOptions } from '../../../api/services/admin/campaigns/view.ts'
import {
  fieldProblemsOf,
  formRefusalMessage,
  InputRefusal,
  type FieldProblem,
} from '../../../api/validation.ts'
import { serviceContext } from '../services.ts'
import { isCsrfRefusal, staleFormMessage, withForm, type ConsoleRequest } from './session.ts'

// The campaign pages' adapters (/admin/campaigns, /admin/campaigns/{id}, /admin/recusals): they
// read the form, call the same console verbs as /api/admin/campaigns, and turn a refusal into
// what the page shows next to its fields. A success answers 303, so a reload repeats nothing.

export const campaignsUrl = '/admin/campaigns'
export const campaignUrl = (id: string) => `/admin/campaigns/${id}`
export const recusalsUrl = '/admin/recusals'

export interface Refusal {
  status: number
  message: string
  problems: FieldProblem[]
  stale: boolean
  /** The form the refusal concerns (draw, publish, record, withdraw, create). */
  intent: string
}

type Outcome<V> =
  | { kind: 'redirect'; location: string }
  | { kind: 'shown'; status: number; view: V; refusal?: Refusal; values?: FormValues }
  | { kind: 'missing'; message: string }

/** A form's fields as text; a name given more than once keeps every value. */
type FormValues = Record<string, string | string[]>

async function readForm(request: Request): Promise<FormData | undefined> {
  try {
    return await request.formData()
  } catch {
    return undefined
  }
}

function valuesOf(form: FormData, lists: readonly string[] = []): FormValues {
  const values: FormValues = {}
  for (const [name, value] of form) {
    if (typeof value !== 'string' || name === 'csrf' || name === 'intent') continue
    if (lists.includes(name))
      values[name] = [...((values[name] as string[] | undefined) ?? []), value]
    else values[name] = value
  }
  return values
}

/** A refusal the page can show, or the error again when it is not one. */
function refusalOf(error: unknown, intent: string): Refusal {
  if (isCsrfRefusal(error)) {
    return { status: 403, message: staleFormMessage, problems: [], stale: false, intent }
  }
  if (!(error instanceof ApiError) || error.status >= 500) throw error
  return {
    status: error.code === 'VALIDATION_FAILED' ? 422 : error.status,
    message: formRefusalMessage(error),
    problems: fieldProblemsOf(error),
    stale: error.message === staleCampaignMessage,
    intent,
  }
}

/** A malformed or unknown id, or one out of the operator's county: the page says not found. */
function missing(error: unknown): string | undefined {
  if (error instanceof InputRefusal && error.target === 'param') return '没有找到这个专项检查。'
  if (error instanceof ApiError && error.code === 'NOT_FOUND') return error.message
  return undefined
}

export type CampaignsPage = Outcome<{
  list: CampaignList
  options: Awaited<ReturnType<typeof campaignFormOptions>>
}>

/** /admin/campaigns: the list, and the new-campaign form (POST). */
export async function handleCampaignsRequest(input: {
  request: Request
  console: ConsoleRequest
}): Promise<CampaignsPage> {
  const ctx = serviceContext()
  const load = async () => ({
    list: await listCampaignsInConsole({ ctx, request: input.console, input: {} }),
    options: await campaignFormOptions(ctx),
  })
  if (input.request.method !== 'POST') return { kind: 'shown', status: 200, view: await load() }
  const form = await readForm(input.request)
  if (!form) return { kind: 'shown', status: 400, view: await load() }
  const values = valuesOf(form, ['counties', 'sectors'])
  try {
    const created = await createCampaignInConsole({
      ctx,
      request: withForm(input.console, form),
      input: values,
    })
    return { kind: 'redirect', location: `${campaignUrl(created.id)}?done=created` }
  } catch (error) {
    const refusal = refusalOf(error, 'create')
    return { kind: 'shown', status: refusal.status, view: await load(), refusal, values }
  }
}

export type CampaignPage = Outcome<CampaignDetail>

const campaignIntents = { draw: drawCampaignInConsole, publish: publishCampaignInConsole }

/** /admin/campaigns/{id}: the campaign; POST intent=draw or publish. */
export async function handleCampaignRequest(input: {
  request: Request
  console: ConsoleRequest
  id: string
}): Promise<CampaignPage> {
  const ctx = serviceContext()
  const load = () => getCampaignInConsole({ ctx, request: input.console, input: { id: input.id } })
  try {
    if (input.request.method !== 'POST') return { kind: 'shown', status: 200, view: await load() }
    const form = await readForm(input.request)
    if (!form) return { kind: 'shown', status: 400, view: await load() }
    const intent = form.get('intent')
    const verb = intent === 'draw' || intent === 'publish' ? campaignIntents[intent] : undefined
    if (!verb || typeof intent !== 'string') {
      return { kind: 'shown', status: 400, view: await load() }
    }
    const values = valuesOf(form)
    try {
      await verb({
        ctx,
        request: withForm(input.console, form),
        input: { id: input.id, fields: values },
      })
      return { kind: 'redirect', location: `${campaignUrl(input.id)}?done=${intent}` }
    } catch (error) {
      if (missing(error)) throw error
      const refusal = refusalOf(error, intent)
      return {
        kind: 'shown',
        status: refusal.status,
        view: await load(),
        refusal,
        // A stale form's values would act on what a colleague changed: it starts afresh.
        ...(refusal.stale ? {} : { values }),
      }
    }
  } catch (error) {
    const message = missing(error)
    if (message) return { kind: 'missing', message }
    throw error
  }
}

export type RecusalsPage = Outcome<RecusalList>

/** /admin/recusals: one's recusals (everyone's for a city admin); POST intent=record|withdraw. */
export async function handleRecusalsRequest(input: {
  request: Request
  console: ConsoleRequest
}): Promise<RecusalsPage> {
  const ctx = serviceContext()
  const load = () => listRecusalsInConsole({ ctx, request: input.console, input: {} })
  if (input.request.method !== 'POST') return { kind: 'shown', status: 200, view: await load() }
  const form = await readForm(input.request)
  if (!form) return { kind: 'shown', status: 400, view: await load() }
  const intent = form.get('intent') === 'withdraw' ? 'withdraw' : 'record'
  const values = valuesOf(form)
  try {
    const verb = intent === 'withdraw' ? withdrawRecusalInConsole : recordRecusalInConsole
    await verb({ ctx, request: withForm(input.console, form), input: values })
    return { kind: 'redirect', location: `${recusalsUrl}?done=${intent}` }
  } catch (error) {
    const refusal = refusalOf(error, intent)
    return { kind: 'shown', status: refusal.status, view: await load(), refusal, values }
  }
}
