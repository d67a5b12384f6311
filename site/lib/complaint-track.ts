import { ApiError } from '../../api/errors.ts'
import { beijingDate, beijingDateTime, beijingIso } from '../../api/domain/beijing-time.ts'
import { normalizeTrackingNo, trackingNoPattern } from '../../api/domain/tracking-codes.ts'
import {
  categoryLabels,
  complaintStatusLabels,
  deadlineLabels,
  kindLabels,
} from '../../api/domain/complaints.ts'
import { queryCodeFromCookie } from '../../api/services/complaints/receipt-cookie.ts'
import { trackComplaint, type TrackedComplaintView } from '../../api/services/complaints/track.ts'
import { rateComplaint, requestReview } from '../../api/services/complaints/rating.ts'
import { claimReward } from '../../api/services/complaints/reward.ts'
import { decryptField, encryptField } from '../../api/privacy/pii.ts'
import { legalDeadlineDays } from '../../api/domain/working-days.ts'
import type { ComplaintKind, ComplaintStatus } from '../../db/database.ts'
import { trackComplaintUrl } from './complaints.ts'
import { serviceContext } from './services.ts'

export { receiptCookieName } from '../../api/services/complaints/receipt-cookie.ts'

export type TrackOutcome =
  | { kind: 'found'; view: TrackedComplaintView }
  | { kind: 'not-found'; message: string }
  | { kind: 'limited'; message: string; retryAfterSeconds: number }

/** A tracking number from an address or a form, or undefined when it cannot be one. */
export function parseTrackingNo(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined
  const trackingNo = normalizeTrackingNo(raw)
  return trackingNoPattern.test(trackingNo) ? trackingNo : undefined
}

/**
 * Status and public timeline for a tracking number and query code. An unknown number and a wrong
 * code give one and the same answer, so neither can be probed.
 */
export async function lookUpComplaint(
  trackingNo: string,
  queryCode: string,
  clientAddress: string,
): Promise<TrackOutcome> {
  try {
    const view = await trackComplaint({
      ctx: serviceContext(),
      input: {
        trackingNo: trackingNo.slice(0, 40),
        queryCode: queryCode.slice(0, 40),
        clientAddress,
      },
    })
    return { kind: 'found', view }
  } catch (error) {
    const outcome = lookupRefusal(error)
    if (!outcome) throw error
    return outcome
  }
}

/** A lookup's refusal as the page shows it: no match (404) or slowed down (429); else undefined. */
function lookupRefusal(error: unknown): Exclude<TrackOutcome, { kind: 'found' }> | undefined {
  if (!(error instanceof ApiError)) return undefined
  if (error.code === 'NOT_FOUND') return { kind: 'not-found', message: error.message }
  if (error.code === 'RATE_LIMITED') return { kind: 'limited', ...limitedRefusal(error) }
  return undefined
}

/** A 429's sentence and its wait in whole seconds, as a page shows it and sets Retry-After. */
export function limitedRefusal(error: ApiError) {
  const details = error.details as { retryAfterSeconds?: unknown } | undefined
  const seconds = details?.retryAfterSeconds
  return {
    message: error.message,
    retryAfterSeconds: typeof seconds === 'number' ? Math.ceil(seconds) : 60,
  }
}

/** The receipt cookie's query code for this number, when the resident just filed it. */
export function receiptQueryCode(cookie: string | undefined, trackingNo: string) {
  return queryCodeFromCookie(cookie, trackingNo)
}

/** "2026-11-26" in China Standard Time. */
export function shanghaiDate(iso: string): string {
  return beijingDate(new Date(iso))
}

/** "2026-11-26 09:30" in China Standard Time. */
export function shanghaiDateTime(iso: string): string {
  return beijingDateTime(new Date(iso))
}

/** For `<time datetime>`: the instant with its +08:00 offset. */
export function shanghaiIso(iso: string): string {
  return beijingIso(new Date(iso))
}

export function statusLabel(status: ComplaintStatus): string {
  return complaintStatusLabels[status]
}

export function kindLabel(kind: ComplaintKind): string {
  return kindLabels[kind]
}

export function categoryLabel(view: TrackedComplaintView): string {
  return categoryLabels[view.category]
}

/** What a timeline entry is, in words: a status it reached, or progress. */
export function timelineLabel(kind: string): string {
  if (kind.startsWith('reward_')) return '举报奖励'
  return kind in complaintStatusLabels ? complaintStatusLabels[kind as ComplaintStatus] : '办理进展'
}

/** "市场监管部门将在 2026-12-07 前作出是否受理的决定（收到后 7 个工作日内）。" */
export function deadlineSentence(kind: ComplaintKind, dueAt: string): string {
  return `市场监管部门将在 ${shanghaiDate(dueAt)} 前${deadlineLabels[kind]}（收到后 ${legalDeadlineDays[kind]} 个工作日内，节假日不计）。`
}

/** What happens after filing, step by step (市场监督管理投诉举报处理暂行办法). */
export function nextSteps(kind: ComplaintKind): string[] {
  return kind === 'complaint'
    ? [
        `${legalDeadlineDays.complaint} 个工作日内，市场监管部门决定是否受理，并在查询页上写明结果。`,
        '受理后组织您和商户调解；办案人员会按您留下的电话联系您，调解一般在受理后 45 个工作日内结束。',
        '调解结果或不予受理的理由都会在查询页上公布，您可随时用受理编号和查询码查看。',
      ]
    : [
        '市场监管部门核查您举报的线索，必要时到现场检查。',
        `${legalDeadlineDays.report} 个工作日内决定是否立案，结果会在查询页上写明。`,
        '您的身份不会告知被举报的商户；如留了电话，办案人员可能与您核实情况。',
      ]
}

export interface TrackPage {
  /** The HTTP status of the page: 404 for no match, 429 when slowed down. */
  status: number
  /** The number to show in the form again (the code is never echoed). */
  trackingNo: string
  problems: { field: 'trackingNo' | 'queryCode'; message: string }[]
  outcome?: TrackOutcome
  /** 满意度与复核 on a found case: the sealed code its forms carry, what was said, what is wrong. */
  feedback?: {
    token: string
    notice?: string
    problems: { field: 'rating' | 'comment' | 'review'; message: string }[]
  }
  /** 举报奖励's claim form after a post: what was said, what is wrong, what was typed. */
  reward?: {
    notice?: string
    problems: { field: RewardClaimField; message: string }[]
    values: Record<string, string>
  }
}

export type RewardClaimField = 'method' | 'payeeName' | 'bankName' | 'accountNo' | 'claim'
const rewardClaimFields: readonly string[] = ['method', 'payeeName', 'bankName', 'accountNo']

const feedbackTokenMinutes = 30

/**
 * The query code, sealed for the rating and review forms of the page that showed the case: the
 * code is never written into a page, and the token expires after half an hour.
 */
function feedbackToken(trackingNo: string, queryCode: string): string {
  const expires = Date.now() + feedbackTokenMinutes * 60_000
  const { keyId, sealed } = encryptField(
    serviceContext().privacy.ring,
    queryCode,
    `feedback-form:${trackingNo}:${expires}`,
  )
  return Buffer.from(JSON.stringify([keyId, sealed.toString('base64'), expires])).toString(
    'base64url',
  )
}

/** The query code a feedback token holds for this number, unless forged or expired. */
function queryCodeOfToken(token: string, trackingNo: string): string | undefined {
  try {
    const [keyId, sealed, expires] = JSON.parse(
      Buffer.from(token, 'base64url').toString('utf8'),
    ) as [string, string, number]
    if (typeof expires !== 'number' || expires < Date.now()) return undefined
    return decryptField(
      serviceContext().privacy.ring,
      keyId,
      Buffer.from(sealed, 'base64'),
      `feedback-form:${trackingNo}:${expires}`,
    )
  } catch {
    return undefined
  }
}

/** The rating or review form's post: the verb's answer, as the page shows it. */
async function feedbackPost(
  form: FormData,
  trackingNo: string,
  clientAddress: string,
): Promise<TrackPage> {
  const value = (name: string, max = 40) => {
    const v = form.get(name)
    return typeof v === 'string' ? v.trim().slice(0, max) : ''
  }
  const action = value('action')
  const queryCode = queryCodeOfToken(value('token', 400), trackingNo)
  if (!queryCode) {
    const message = '页面已过期，请重新输入受理编号和查询码后再评价。'
    return { status: 400, trackingNo, problems: [{ field: 'queryCode', message }] }
  }
  const ctx = serviceContext()
  const input = { trackingNo, queryCode, clientAddress }
  const feedback = (
    notice: string | undefined,
    problems: NonNullable<TrackPage['feedback']>['problems'],
  ) => ({
    token: feedbackToken(trackingNo, queryCode),
    ...(notice ? { notice } : {}),
    problems,
  })
  try {
    const view =
      action === 'review'
        ? await requestReview({ ctx, input })
        : await rateComplaint({
            ctx,
            input: {
              ...input,
              rating: value('rating'),
              comment: value('comment', 2000),
              requestReview: value('requestReview') === 'yes',
            },
          })
    const notice =
      action === 'review' || view.feedback.reviewRequested
        ? '已收到您的复核申请，案件已退回办理部门复核，结果会在本页公布。'
        : '感谢您的评价。'
    return {
      status: 200,
      trackingNo,
      problems: [],
      outcome: { kind: 'found', view },
      feedback: feedback(notice, []),
    }
  } catch (error) {
    // The code in the token no longer opens the case (a new one was issued meanwhile), or the
    // lookups are slowed down: said as a lookup says it.
    const refusal = lookupRefusal(error)
    if (refusal) {
      return {
        status: refusal.kind === 'not-found' ? 404 : 429,
        trackingNo,
        problems: [],
        outcome: refusal,
      }
    }
    if (!(error instanceof ApiError)) throw error
    if (error.code !== 'VALIDATION_FAILED' && error.code !== 'CONFLICT') throw error
    const outcome = await lookUpComplaint(trackingNo, queryCode, clientAddress)
    const details = (error.details as { field?: string }[] | undefined) ?? []
    const field =
      details[0]?.field === 'comment' ? 'comment' : action === 'review' ? 'review' : 'rating'
    return {
      status: error.code === 'CONFLICT' ? 409 : 422,
      trackingNo,
      problems: [],
      outcome,
      feedback: feedback(undefined, [{ field, message: error.message }]),
    }
  }
}

/**
 * 确认领取方式: the reward form's post, answered as the page shows it. The receiving details are
 * given back to the form only when it is refused, so the reporter corrects rather than retypes.
 */
async function rewardClaimPost(
  form: FormData,
  trackingNo: string,
  clientAddress: string,
): Promise<TrackPage> {
  const value = (name: string, max = 100) => {
    const v = form.get(name)
    return typeof v === 'string' ? v.trim().slice(0, max) : ''
  }
  const queryCode = queryCodeOfToken(value('token', 400), trackingNo)
  if (!queryCode) {
    const message = '页面已过期，请重新输入受理编号和查询码后再确认领取方式。'
    return { status: 400, trackingNo, problems: [{ field: 'queryCode', message }] }
  }
  const typed = {
    method: value('method', 40),
    payeeName: value('payeeName'),
    bankName: value('bankName', 200),
    accountNo: value('accountNo', 60),
  }
  const token = feedbackToken(trackingNo, queryCode)
  try {
    const view = await claimReward({
      ctx: serviceContext(),
      input: { trackingNo, queryCode, clientAddress, ...typed },
    })
    return {
      status: 200,
      trackingNo,
      problems: [],
      outcome: { kind: 'found', view },
      feedback: { token, problems: [] },
      reward: { notice: '已收到您的确认，奖励发放后会在本页告知。', problems: [], values: {} },
    }
  } catch (error) {
    const refusal = lookupRefusal(error)
    if (refusal) {
      return {
        status: refusal.kind === 'not-found' ? 404 : 429,
        trackingNo,
        problems: [],
        outcome: refusal,
      }
    }
    if (!(error instanceof ApiError)) throw error
    if (error.code !== 'VALIDATION_FAILED' && error.code !== 'CONFLICT') throw error
    const outcome = await lookUpComplaint(trackingNo, queryCode, clientAddress)
    const details = (error.details as { field?: string; message?: string }[] | undefined) ?? []
    const problems =
      error.code === 'CONFLICT'
        ? [{ field: 'claim' as const, message: error.message }]
        : details
            .filter((d) => d.field && rewardClaimFields.includes(d.field))
            .map((d) => ({
              field: d.field as RewardClaimField,
              message: d.message ?? error.message,
            }))
    return {
      status: error.code === 'CONFLICT' ? 409 : 422,
      trackingNo,
      problems: [],
      outcome,
      feedback: { token, problems: [] },
      reward: { problems, values: error.code === 'CONFLICT' ? {} : typed },
    }
  }
}

/** The tracking page's address with the number filled in: the receipt's link to it. */
export function trackUrlFor(trackingNo: string): string {
  return `${trackComplaintUrl}?no=${encodeURIComponent(trackingNo)}`
}

/**
 * The tracking page's request: a GET shows the form (a number in `?no=`, or the older
 * `?trackingNo=`, fills it in, so the query code is the only thing left to type); a POST looks the
 * pair up. The code travels only in the POST body, never in an address.
 */
export async function handleTrackRequest(
  request: Request,
  url: URL,
  clientAddress: () => string,
): Promise<TrackPage> {
  if (request.method !== 'POST') {
    const given = url.searchParams.get('no') ?? url.searchParams.get('trackingNo') ?? ''
    return { status: 200, trackingNo: parseTrackingNo(given.slice(0, 40)) ?? '', problems: [] }
  }
  let form: FormData
  try {
    form = await request.formData()
  } catch {
    const message = '提交的内容无法读取，请重新输入受理编号和查询码。'
    return { status: 400, trackingNo: '', problems: [{ field: 'trackingNo', message }] }
  }
  const text = (name: string) => {
    const value = form.get(name)
    return typeof value === 'string' ? value.trim().slice(0, 40) : ''
  }
  const trackingNo = text('trackingNo')
  if (text('action') === 'rate' || text('action') === 'review') {
    return feedbackPost(form, parseTrackingNo(trackingNo) ?? trackingNo, clientAddress())
  }
  if (text('action') === 'claim_reward') {
    return rewardClaimPost(form, parseTrackingNo(trackingNo) ?? trackingNo, clientAddress())
  }
  const queryCode = text('queryCode')
  const problems: TrackPage['problems'] = []
  if (!trackingNo) problems.push({ field: 'trackingNo', message: '请填写受理编号。' })
  if (!queryCode) problems.push({ field: 'queryCode', message: '请填写查询码。' })
  if (problems.length > 0) return { status: 422, trackingNo, problems }
  const outcome = await lookUpComplaint(trackingNo, queryCode, clientAddress())
  const status = outcome.kind === 'found' ? 200 : outcome.kind === 'not-found' ? 404 : 429
  // The number goes back into the form as printed when it reads as one (ｊｌ２０２６… → JL2026…).
  const shown = parseTrackingNo(trackingNo) ?? trackingNo
  return {
    status,
    trackingNo: shown,
    problems,
    outcome,
    ...(outcome.kind === 'found'
      ? { feedback: { token: feedbackToken(outcome.view.trackingNo, queryCode), problems: [] } }
      : {}),
  }
}
