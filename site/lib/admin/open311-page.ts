import {
  createOpen311ClientInConsole,
  open311ClientsInConsole,
  revokeOpen311KeyInConsole,
} from '../../../api/services/admin/open311/console.ts'
import { open311ClientNotFoundMessage } from '../../../api/services/admin/open311/clients.ts'
import type { Open311ClientView } from '../../../api/services/admin/open311/schemas.ts'
import type { FieldProblem } from '../../../api/validation.ts'
import { serviceContext } from '../services.ts'
import { formFields, outcomeOf, readForm, textField, unreadableFormMessage } from './auth-form.ts'
import { isCsrfRefusal, missingPageMessage, staleFormMessage, withForm } from './session.ts'
import type { ConsoleRequest } from './session.ts'

export const open311PageUrl = '/admin/open311'

const newClientFields = ['name', 'contact'] as const
type NewClientValues = Record<(typeof newClientFields)[number], string>
const emptyValues: NewClientValues = { name: '', contact: '' }

interface Open311Page {
  kind: 'shown'
  status: number
  clients: Open311ClientView[]
  values: NewClientValues
  problems: FieldProblem[]
  /** The key just created, shown this once with its app's name. */
  created?: { name: string; apiKey: string }
  notice?: string
  /** A refused button (not the form), said above the list. */
  refusal?: string
}

export type Open311Answer = Open311Page | { kind: 'redirect'; location: string }

async function shown(
  request: ConsoleRequest,
  extra: Partial<Omit<Open311Page, 'kind' | 'clients'>>,
): Promise<Open311Page> {
  const clients = await open311ClientsInConsole({ ctx: serviceContext(), request, input: {} })
  return { kind: 'shown', status: 200, clients, values: emptyValues, problems: [], ...extra }
}

/**
 * Open311 接入应用 (city_admin). GET lists the apps and their keys' state. POST registers an app
 * (`intent=create`): the page answers at once with its key, which is never stored and so cannot
 * survive a redirect; or revokes a key (`intent=revoke` with `id`), answered with 303 back here.
 */
export async function handleOpen311Request(input: {
  request: Request
  url: URL
  console: ConsoleRequest
}): Promise<Open311Answer> {
  const { console: request } = input
  if (input.request.method !== 'POST') {
    const done = input.url.searchParams.get('done')
    return shown(
      request,
      done === 'revoked' ? { notice: '已注销密钥：它的下一次调用起即被拒绝。' } : {},
    )
  }
  const form = await readForm(input.request)
  if (!form) return shown(request, { status: 400, refusal: unreadableFormMessage })
  const posted = withForm(request, form)
  const ctx = serviceContext()
  const intent = textField(form, 'intent')
  if (intent === 'create') {
    const values = { ...emptyValues, ...formFields(form, newClientFields) }
    try {
      const { client, apiKey } = await createOpen311ClientInConsole({
        ctx,
        request: posted,
        input: values,
      })
      return await shown(request, { status: 201, created: { name: client.name, apiKey } })
    } catch (error) {
      if (isCsrfRefusal(error)) {
        return shown(request, { status: 403, values, refusal: staleFormMessage })
      }
      const outcome = outcomeOf(error, newClientFields, 'name')
      return shown(request, { status: outcome.status, values, problems: outcome.problems })
    }
  }
  if (intent === 'revoke') {
    try {
      await revokeOpen311KeyInConsole({
        ctx,
        request: posted,
        input: { id: textField(form, 'id') },
      })
      return { kind: 'redirect', location: `${open311PageUrl}?done=revoked` }
    } catch (error) {
      if (isCsrfRefusal(error)) return shown(request, { status: 403, refusal: staleFormMessage })
      const missing = missingPageMessage(error, open311ClientNotFoundMessage)
      const outcome = outcomeOf(error, [], 'id')
      return shown(request, {
        status: missing ? 404 : outcome.status,
        refusal: missing ?? outcome.problems[0]?.message ?? '未能完成操作。',
      })
    }
  }
  return shown(request, { status: 400, refusal: '请从页面上的按钮中选择一项操作。' })
}
