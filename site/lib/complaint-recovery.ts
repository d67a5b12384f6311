import { ApiError } from '../../api/errors.ts'
import {
  redeemQueryCodeRecovery,
  requestQueryCodeRecovery,
  type RecoveredCase,
} from '../../api/services/complaints/recovery.ts'
import { limitedRefusal, parseTrackingNo } from './complaint-track.ts'
import { serviceContext } from './services.ts'

/** 找回查询码 (issue 25): where the resident is in the two steps, and what to show. */
export type RecoveryPage =
  | {
      step: 'request'
      status: number
      trackingNo: string
      problems: { field: 'trackingNo' | 'phone'; message: string }[]
      refusal?: { message: string; retryAfterSeconds: number }
    }
  | {
      step: 'redeem'
      status: number
      trackingNo: string
      /** The answer to the request, shown above the code field. */
      sent?: string
      problems: { field: 'code'; message: string }[]
      refusal?: { message: string; retryAfterSeconds: number }
    }
  | { step: 'recovered'; status: 200; recovered: RecoveredCase }

const fieldProblems = (error: ApiError) =>
  ((error.details as { field: string; message: string }[] | undefined) ?? []).map((d) => ({
    field: d.field,
    message: d.message,
  }))

/**
 * The page's request: a GET shows step 1 (the number from `?no=` filled in); a POST with
 * `step=request` asks for the code and shows step 2; `step=redeem` checks the code and shows the
 * case with its new query code. Pages are thin: the service verbs check and count everything.
 */
export async function handleRecoveryRequest(
  request: Request,
  url: URL,
  clientAddress: () => string,
): Promise<RecoveryPage> {
  if (request.method !== 'POST') {
    const given = url.searchParams.get('no') ?? ''
    return {
      step: 'request',
      status: 200,
      trackingNo: parseTrackingNo(given.slice(0, 40)) ?? '',
      problems: [],
    }
  }
  let form: FormData
  try {
    form = await request.formData()
  } catch {
    const message = '提交的内容无法读取，请重新填写。'
    return {
      step: 'request',
      status: 400,
      trackingNo: '',
      problems: [{ field: 'trackingNo', message }],
    }
  }
  const text = (name: string) => {
    const value = form.get(name)
    return typeof value === 'string' ? value.trim().slice(0, 40) : ''
  }
  const trackingNo = text('trackingNo')
  const shownNo = parseTrackingNo(trackingNo) ?? trackingNo
  const ctx = serviceContext()
  if (text('step') === 'redeem') {
    const code = text('code')
    if (!code) {
      return {
        step: 'redeem',
        status: 422,
        trackingNo: shownNo,
        problems: [{ field: 'code', message: '请填写短信中的 6 位数字验证码。' }],
      }
    }
    try {
      const recovered = await redeemQueryCodeRecovery({
        ctx,
        input: { trackingNo, code, clientAddress: clientAddress() },
      })
      return { step: 'recovered', status: 200, recovered }
    } catch (error) {
      if (!(error instanceof ApiError)) throw error
      if (error.code === 'RATE_LIMITED') {
        return {
          step: 'redeem',
          status: 429,
          trackingNo: shownNo,
          problems: [],
          refusal: limitedRefusal(error),
        }
      }
      // A wrong or expired code (404) and a malformed one (422) are both the code field's.
      return {
        step: 'redeem',
        status: error.code === 'NOT_FOUND' ? 404 : 422,
        trackingNo: shownNo,
        problems: [{ field: 'code', message: error.message }],
      }
    }
  }
  try {
    const answer = await requestQueryCodeRecovery({
      ctx,
      input: { trackingNo, phone: text('phone'), clientAddress: clientAddress() },
    })
    return { step: 'redeem', status: 200, trackingNo: shownNo, sent: answer.message, problems: [] }
  } catch (error) {
    if (!(error instanceof ApiError)) throw error
    if (error.code === 'RATE_LIMITED') {
      return {
        step: 'request',
        status: 429,
        trackingNo: shownNo,
        problems: [],
        refusal: limitedRefusal(error),
      }
    }
    if (error.code !== 'VALIDATION_FAILED') throw error
    return {
      step: 'request',
      status: 422,
      trackingNo: shownNo,
      problems: fieldProblems(error).filter(
        (p): p is { field: 'trackingNo' | 'phone'; message: string } =>
          p.field === 'trackingNo' || p.field === 'phone',
      ),
    }
  }
}
