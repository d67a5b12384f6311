import { ApiError } from '../../../api/errors.ts'
import type { SignedInOperator } from '../../../api/services/admin/access.ts'
import {
  retryDeadCallbackInConsole,
  retryRejectedInConsole,
} from '../../../api/services/admin/hotline/console.ts'
import {
  callbackNotFoundMessage,
  listDead,
  type DeadCallback,
} from '../../../api/services/admin/hotline/dead-callbacks.ts'
import {
  listRejected,
  rejectedNotFoundMessage,
  type RejectedEvent,
} from '../../../api/services/admin/hotline/rejected-events.ts'
import {
  listStalled,
  type StalledEvent,
} from '../../../api/services/admin/hotline/stalled-events.ts'
import { serviceContext } from '../services.ts'
import { fieldProblemsOf, InputRefusal, type FieldProblem } from '../../../api/validation.ts'
import { readForm, textField, unreadableFormMessage } from './auth-form.ts'
import { isCsrfRefusal, staleFormMessage, withForm, type ConsoleRequest } from './session.ts'

const hotlinePageUrl = '/admin/hotline'

const notices = {
  callback: '已重新排队：这条回调会立即按新的重试计划发送，同一工单之后的反馈随后发出。',
  event: '已重新校验通过：这条事件已交给后台按顺序处理。',
} as const
type Done = keyof typeof notices

export type HotlinePage =
  | { kind: 'redirect'; location: string }
  /** The services refused this operator (city admins only): the plain 403 page. */
  | { kind: 'forbidden' }
  | {
      kind: 'shown'
      /** 200; 400, 403, 404 or 409 after a refused retry. */
      status: number
      dead: DeadCallback[]
      rejected: RejectedEvent[]
      stalled: StalledEvent[]
      notice?: string
      refusal?: { message: string; problems: FieldProblem[] }
    }

async function shown(
  operator: SignedInOperator,
  clientAddress: string,
  extra: {
    status?: number
    notice?: string
    refusal?: { message: string; problems: FieldProblem[] }
  },
): Promise<HotlinePage> {
  const ctx = serviceContext()
  const input = { clientAddress }
  const [dead, rejected, stalled] = await Promise.all([
    listDead({ ctx, operator, input }),
    listRejected({ ctx, operator, input }),
    listStalled({ ctx, operator }),
  ])
  return { kind: 'shown', status: extra.status ?? 200, dead, rejected, stalled, ...extra }
}

/**
 * The hotline failures page (city_admin only). GET lists dead callbacks and rejected inbound
 * events (both audited), and inbound events held too long or failing to apply. POST retries one: `intent=retry-callback` with `id`, or
 * `intent=retry-event` with `webhookId`; success answers 303 back here, so a reload does not
 * repeat it; a refusal shows the page with the reason (an event's schema errors listed).
 */
export async function handleHotlineRequest(
  input: Parameters<typeof hotlineRequest>[0],
): Promise<HotlinePage> {
  try {
    return await hotlineRequest(input)
  } catch (error) {
    // Who may see the page is decided by the hotline services alone; the page only says no.
    if (error instanceof ApiError && error.code === 'FORBIDDEN') return { kind: 'forbidden' }
    throw error
  }
}

async function hotlineRequest(input: {
  request: Request
  url: URL
  operator: SignedInOperator
  console: ConsoleRequest
  clientAddress: string
}): Promise<HotlinePage> {
  const { operator, clientAddress } = input
  if (input.request.method !== 'POST') {
    const done = input.url.searchParams.get('done')
    const notice = done && done in notices ? notices[done as Done] : undefined
    return shown(operator, clientAddress, notice ? { notice } : {})
  }
  const form = await readForm(input.request)
  if (!form) {
    const refusal = { message: unreadableFormMessage, problems: [] }
    return shown(operator, clientAddress, { status: 400, refusal })
  }
  const ctx = serviceContext()
  const request = withForm(input.console, form)
  const field = (name: string) => textField(form, name)
  try {
    if (field('intent') === 'retry-callback') {
      await retryDeadCallbackInConsole({ ctx, request, input: { id: field('id') } })
      return { kind: 'redirect', location: `${hotlinePageUrl}?done=callback` }
    }
    if (field('intent') === 'retry-event') {
      await retryRejectedInConsole({ ctx, request, input: { webhookId: field('webhookId') } })
      return { kind: 'redirect', location: `${hotlinePageUrl}?done=event` }
    }
    return await shown(operator, clientAddress, {
      status: 400,
      refusal: { message: '请从列表中选择要重试的记录。', problems: [] },
    })
  } catch (error) {
    if (isCsrfRefusal(error)) {
      return shown(operator, clientAddress, {
        status: 403,
        refusal: { message: staleFormMessage, problems: [] },
      })
    }
    if (!(error instanceof ApiError) || error.status >= 500) throw error
    // The verbs refuse a malformed id with the API's path message; the page tells it as not found.
    if (error instanceof InputRefusal && error.target === 'param') {
      const message =
        field('intent') === 'retry-callback' ? callbackNotFoundMessage : rejectedNotFoundMessage
      return shown(operator, clientAddress, { status: 404, refusal: { message, problems: [] } })
    }
    return shown(operator, clientAddress, {
      status: error.status,
      refusal: { message: error.message, problems: fieldProblemsOf(error) },
    })
  }
}
