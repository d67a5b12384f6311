import { passesAccess } from '../../../api/services/admin/console-request.ts'
import { notificationAdmins } from '../../../api/services/admin/notifications/access.ts'
import {
  createEndpointInConsole,
  notificationsInConsole,
  setEndpointEnabledInConsole,
} from '../../../api/services/admin/notifications/console.ts'
import { endpointNotFoundMessage } from '../../../api/services/admin/notifications/endpoints.ts'
import type {
  EndpointView,
  TransportStatus,
} from '../../../api/services/admin/notifications/schemas.ts'
import type { SignedInOperator } from '../../../api/services/admin/access.ts'
import { countyNames } from '../../../api/domain/counties.ts'
import { notificationTransportLabels } from '../../../api/domain/notifications.ts'
import type { FieldProblem } from '../../../api/validation.ts'
import { serviceContext } from '../services.ts'
import { formFields, outcomeOf, readForm, textField, unreadableFormMessage } from './auth-form.ts'
import { isCsrfRefusal, missingPageMessage, staleFormMessage, withForm } from './session.ts'
import type { ConsoleRequest } from './session.ts'

export const notificationsPageUrl = '/admin/notifications'

export const endpointCountyOptions = [
  { value: '', label: '全市（接收所有区县的通知）' },
  ...Object.entries(countyNames).map(([value, label]) => ({ value, label })),
]
export const endpointKindOptions = Object.entries(notificationTransportLabels).map(
  ([value, label]) => ({ value, label }),
)

const newEndpointFields = ['countyCode', 'kind', 'address', 'label'] as const
type NewEndpointValues = Record<(typeof newEndpointFields)[number], string>
const emptyValues: NewEndpointValues = { countyCode: '', kind: 'email', address: '', label: '' }

const notices = {
  created: '已添加通知接收方。',
  enabled: '已启用：之后的通知会发给它。',
  disabled: '已停用：它不再收到通知，排队中发给它的通知已取消。',
} as const
type Done = keyof typeof notices

interface NotificationsPage {
  kind: 'shown'
  status: number
  transports: TransportStatus[]
  endpoints: EndpointView[]
  /** Whether the form and the buttons are offered (city_admin). */
  mayManage: boolean
  values: NewEndpointValues
  problems: FieldProblem[]
  notice?: string
  /** A refused button (not the form), said above the list. */
  refusal?: string
}

export type NotificationsAnswer = NotificationsPage | { kind: 'redirect'; location: string }

async function shown(
  operator: SignedInOperator,
  request: ConsoleRequest,
  extra: Partial<Omit<NotificationsPage, 'kind' | 'transports' | 'endpoints' | 'mayManage'>>,
): Promise<NotificationsPage> {
  const { transports, endpoints } = await notificationsInConsole({
    ctx: serviceContext(),
    request,
    input: {},
  })
  return {
    kind: 'shown',
    status: 200,
    transports,
    endpoints,
    mayManage: passesAccess(notificationAdmins, operator),
    values: emptyValues,
    problems: [],
    ...extra,
  }
}

/**
 * 通知设置. GET shows each transport's state (unset, with what waits) and the recipients in
 * scope. POST (city_admin) adds a recipient (`intent=create`) or turns one on or off
 * (`intent=enable` / `disable` with `id`); success answers 303 back here, so a reload does not
 * repeat it; a refusal shows the page with the reason next to the field or above the list.
 */
export async function handleNotificationsRequest(input: {
  request: Request
  url: URL
  operator: SignedInOperator
  console: ConsoleRequest
}): Promise<NotificationsAnswer> {
  const { operator, console: request } = input
  if (input.request.method !== 'POST') {
    const done = input.url.searchParams.get('done')
    return shown(
      operator,
      request,
      done && done in notices ? { notice: notices[done as Done] } : {},
    )
  }
  const form = await readForm(input.request)
  if (!form) return shown(operator, request, { status: 400, refusal: unreadableFormMessage })
  const posted = withForm(request, form)
  const ctx = serviceContext()
  const intent = textField(form, 'intent')
  if (intent === 'create') {
    const values = { ...emptyValues, ...formFields(form, newEndpointFields) }
    try {
      await createEndpointInConsole({ ctx, request: posted, input: values })
      return { kind: 'redirect', location: `${notificationsPageUrl}?done=created` }
    } catch (error) {
      if (isCsrfRefusal(error)) {
        return shown(operator, request, { status: 403, values, refusal: staleFormMessage })
      }
      const outcome = outcomeOf(error, newEndpointFields, 'address')
      return shown(operator, request, {
        status: outcome.status,
        values,
        problems: outcome.problems,
      })
    }
  }
  if (intent === 'enable' || intent === 'disable') {
    try {
      await setEndpointEnabledInConsole({
        ctx,
        request: posted,
        input: { id: textField(form, 'id'), fields: { enabled: intent === 'enable' } },
      })
      return { kind: 'redirect', location: `${notificationsPageUrl}?done=${intent}d` }
    } catch (error) {
      if (isCsrfRefusal(error)) {
        return shown(operator, request, { status: 403, refusal: staleFormMessage })
      }
      const missing = missingPageMessage(error, endpointNotFoundMessage)
      const outcome = outcomeOf(error, [], 'id')
      return shown(operator, request, {
        status: missing ? 404 : outcome.status,
        refusal: missing ?? outcome.problems[0]?.message ?? '未能完成操作。',
      })
    }
  }
  return shown(operator, request, { status: 400, refusal: '请从页面上的按钮中选择一项操作。' })
}
