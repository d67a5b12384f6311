import { ApiError } from '../../../api/errors.ts'
import { maySeeCounty, type SignedInOperator } from '../../../api/services/admin/access.ts'
import { staleVersionMessage } from '../../../api/services/admin/cases/act.ts'
import { staleRewardMessage } from '../../../api/services/admin/rewards/act.ts'
import {
  actOnCaseInConsole,
  getCaseInConsole,
  mergeCaseInConsole,
  revealContactInConsole,
} from '../../../api/services/admin/cases/console.ts'
import { caseActions, type CaseAction } from '../../../api/services/admin/cases/machine.ts'
import type { CaseDetail } from '../../../api/services/admin/cases/schemas.ts'
import { caseNotFoundMessage } from '../../../api/services/admin/cases/scope.ts'
import {
  actOnRewardInConsole,
  getCaseRewardInConsole,
  revealPayeeInConsole,
} from '../../../api/services/admin/rewards/console.ts'
import type { CaseReward } from '../../../api/services/admin/rewards/schemas.ts'
import { fieldProblemsOf, formRefusalMessage, type FieldProblem } from '../../../api/validation.ts'
import { serviceContext } from '../services.ts'
import { postedFields, readForm, unreadableFormMessage } from './auth-form.ts'
import { caseUrl, casesUrl } from './cases-queue.ts'
import {
  isCsrfRefusal,
  missingPageMessage,
  staleFormMessage,
  withForm,
  type ConsoleRequest,
} from './session.ts'

export type CasePage =
  | { kind: 'redirect'; location: string }
  | {
      kind: 'shown'
      /** 200; 403, 404, 409 or 422 after a refused POST. */
      status: number
      view: CaseDetail
      /** 举报奖励 on the case and the steps this operator may take. */
      reward: CaseReward
      /** A success notice after an action (?done=accept). */
      done?: CaseAction
      /** A success notice after a merge: the tracking number merged in (?merged=…). */
      merged?: string
      /** A success notice after a reward step (?done=reward_approve): what was done. */
      rewardDone?: string
      revealed?: { name: string | null; phone: string | null }
      /** The reporter's receiving details in full, after an audited reveal. */
      payeeRevealed?: { payeeName: string; bankName: string; accountNo: string }
      /** A refusal to show above everything, and which action's form it concerns. */
      refusal?: { message: string; action?: string; problems: FieldProblem[] }
      /** What the refused action's form held, to fill it in again. */
      values?: Record<string, string>
    }
  | { kind: 'missing'; status: 404 | 400; message: string }

function refusalStatus(error: ApiError): number {
  return error.code === 'VALIDATION_FAILED' ? 422 : error.status
}

/** An id that is no case's (malformed, unknown or out of scope): the page answers 404. */
const missingCase = (error: unknown) => missingPageMessage(error, caseNotFoundMessage)

/** The case as the page shows it (each view is audited: getCase), and its reward. */
async function load(input: { console: ConsoleRequest; id: string }) {
  const call = { ctx: serviceContext(), request: input.console, input: { id: input.id } }
  const view = await getCaseInConsole(call)
  return { view, reward: await getCaseRewardInConsole(call) }
}

/** What a reward step's success notice says. */
const rewardDoneLabels: Record<string, string> = {
  reward_propose: '提出举报奖励',
  reward_approve: '批准举报奖励',
  reward_refuse: '不予批准举报奖励',
  reward_record_payment: '登记奖励发放',
}

/**
 * The case page's request. GET shows the case; POST carries `intent` = `reveal` (show the
 * contact once, audited) or `action` (one state-machine action). A successful action answers 303
 * back to the page (so a reload does not repeat it); a refused one shows the fresh case with the
 * reason, and a stale version says so in the words of the API.
 */
export async function handleCaseRequest(input: {
  request: Request
  url: URL
  id: string
  operator: SignedInOperator
  console: ConsoleRequest
}): Promise<CasePage> {
  const { request } = input
  try {
    if (request.method !== 'POST') {
      const asked = input.url.searchParams.get('done')
      const done = caseActions.find((a) => a === asked)
      const rewardDone = asked ? rewardDoneLabels[asked] : undefined
      const loaded = await load(input)
      // Named only when it is one of the cases merged into this one.
      const mergedNo = input.url.searchParams.get('merged')
      const merged = loaded.view.mergedCases.find((m) => m.trackingNo === mergedNo)?.trackingNo
      return {
        kind: 'shown',
        status: 200,
        ...loaded,
        ...(done ? { done } : {}),
        ...(rewardDone ? { rewardDone } : {}),
        ...(merged ? { merged } : {}),
      }
    }
    return await handlePost(input)
  } catch (error) {
    const missing = missingCase(error)
    if (missing) return { kind: 'missing', status: 404, message: missing }
    throw error
  }
}

async function handlePost(input: Parameters<typeof handleCaseRequest>[0]): Promise<CasePage> {
  const { id, operator } = input
  const form = await readForm(input.request)
  if (!form) return refused(input, 400, { message: unreadableFormMessage, problems: [] })
  const request = withForm(input.console, form)
  const fields = postedFields(form, 'intent')
  const ctx = serviceContext()
  try {
    if (form.get('intent') === 'reveal') {
      const revealed = await revealContactInConsole({ ctx, request, input: { id } })
      return { kind: 'shown', status: 200, ...(await load(input)), revealed }
    }
    if (form.get('intent') === 'reward_payee') {
      const payeeRevealed = await revealPayeeInConsole({ ctx, request, input: { id } })
      return { kind: 'shown', status: 200, ...(await load(input)), payeeRevealed }
    }
    if (form.get('intent') === 'reward') {
      await actOnRewardInConsole({ ctx, request, input: { id, fields } })
      return {
        kind: 'redirect',
        location: `${caseUrl(id)}?done=reward_${encodeURIComponent(fields.action ?? '')}#reward`,
      }
    }
    if (form.get('intent') === 'merge') {
      const merged = await mergeCaseInConsole({ ctx, request, input: { id, fields } })
      const trackingNo = merged.mergedCases.find((m) => m.id === fields.duplicateId)?.trackingNo
      return {
        kind: 'redirect',
        location: `${caseUrl(id)}?merged=${encodeURIComponent(trackingNo ?? '')}`,
      }
    }
    const view = await actOnCaseInConsole({ ctx, request, input: { id, fields } })
    // An assignment to another county takes the case out of this operator's sight.
    if (!maySeeCounty(operator, view.countyCode)) {
      return {
        kind: 'redirect',
        location: `${casesUrl}?assigned=${encodeURIComponent(view.trackingNo)}`,
      }
    }
    return {
      kind: 'redirect',
      location: `${caseUrl(id)}?done=${encodeURIComponent(fields.action ?? '')}`,
    }
  } catch (error) {
    if (isCsrfRefusal(error))
      return refused(input, 403, { message: staleFormMessage, problems: [] })
    if (!(error instanceof ApiError) || error.status >= 500 || missingCase(error)) throw error
    const stale = error.message === staleVersionMessage || error.message === staleRewardMessage
    // A reward form's fields are named `reward-<step>-<field>` on the page.
    const formName =
      form.get('intent') === 'merge'
        ? 'merge'
        : form.get('intent') === 'reward' && fields.action
          ? `reward-${fields.action}`
          : fields.action
    return refused(
      input,
      refusalStatus(error),
      {
        message: formRefusalMessage(error),
        problems: fieldProblemsOf(error),
        // A stale form's values would overwrite what the colleague did: it starts afresh.
        ...(formName && !stale ? { action: formName } : {}),
      },
      stale ? {} : fields,
    )
  }
}

async function refused(
  input: Parameters<typeof load>[0],
  status: number,
  refusal: { message: string; action?: string; problems: FieldProblem[] },
  values: Record<string, string> = {},
): Promise<CasePage> {
  return { kind: 'shown', status, ...(await load(input)), refusal, values }
}
