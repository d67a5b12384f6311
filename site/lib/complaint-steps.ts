import type { AstroCookies } from 'astro'
import { draftBusiness, type DraftBusiness } from '../../api/services/complaints/drafts/business.ts'
import {
  fileDraft,
  saveStep,
  type DraftFiling,
  type StepOutcome,
} from '../../api/services/complaints/drafts/flow.ts'
import {
  checkUrl,
  complaintSteps,
  stepTitles,
  stepUrl,
  type ComplaintStep,
} from '../../api/services/complaints/drafts/steps.ts'
import {
  draftLifetimeMs,
  readDraft,
  type Draft,
} from '../../api/services/complaints/drafts/store.ts'
import { serviceContext } from './services.ts'

export { checkUrl, complaintSteps, stepTitles, stepUrl, type ComplaintStep, type Draft }

/**
 * The cookie that holds a step-by-step complaint's draft token (issue 23). The token is the only
 * key to the sealed answers, so it never goes into a URL; the cookie lives as long as the draft.
 */
const draftCookieName = 'complaint_draft'

function draftTokenOf(cookies: AstroCookies): string | undefined {
  return cookies.get(draftCookieName)?.value
}

export function setDraftCookie(cookies: AstroCookies, token: string) {
  cookies.set(draftCookieName, token, {
    path: '/complaints',
    httpOnly: true,
    sameSite: 'lax',
    secure: serviceContext().config.NODE_ENV === 'production',
    maxAge: Math.floor(draftLifetimeMs / 1000),
  })
}

/** The resident's live draft, if any. */
export function currentDraft(cookies: AstroCookies): Promise<Draft | undefined> {
  return readDraft(serviceContext(), draftTokenOf(cookies))
}

/** A posted step, saved by the service verb the steps share. */
export function handleStep(
  cookies: AstroCookies,
  step: ComplaintStep,
  request: Request,
): Promise<StepOutcome> {
  return saveStep({
    ctx: serviceContext(),
    input: { token: draftTokenOf(cookies), step, request },
  })
}

/** The posted check page: the draft filed (once, however often it is posted). */
export function handleFiling(cookies: AstroCookies, clientAddress: string): Promise<DraftFiling> {
  return fileDraft({
    ctx: serviceContext(),
    input: { token: draftTokenOf(cookies), clientAddress },
  })
}

/** The business a complaint link (`?business=` on the first step) names, or why it names none. */
export function businessOfLink(code: string): Promise<DraftBusiness> {
  return draftBusiness({ ctx: serviceContext(), input: { code } })
}

/** Where a saved step sends the resident. */
export const targetUrl = (target: ComplaintStep | 'check') =>
  target === 'check' ? checkUrl : stepUrl(target)

/** "第 2 步，共 4 步" */
export const stepPosition = (step: ComplaintStep) =>
  `第 ${complaintSteps.indexOf(step) + 1} 步，共 ${complaintSteps.length} 步`
