import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiError } from '../../api/errors.ts'
import { feedbackRule } from '../../api/services/complaints/feedback.ts'
import { rateComplaint, requestReview } from '../../api/services/complaints/rating.ts'
import { trackComplaint } from '../../api/services/complaints/track.ts'
import { deadlineFor } from '../../api/domain/working-days.ts'
import { signedInOperator, type TestOperator } from '../support/operators.ts'
import {
  act,
  caseOf,
  casesWorld,
  countyA,
  countyB,
  fileCase,
  type CasesWorld,
} from './admin-cases-support.ts'

/**
 * 满意度与复核 (issue 25, item 3; acceptance 3): a web resident rates a handled case once; a 不满意
 * within 15 days of the outcome reopens it as 复核 with its own deadline, once; after 15 days the
 * option is gone. The handler sees the rating and comment (numbers masked) and publishes the
 * review's result like any reply. The comment is sealed and erased with the rest.
 */

let w: CasesWorld
let handler: TestOperator
let otherCounty: TestOperator
let admin: TestOperator
let address = 0
const nextAddress = () => `203.0.113.${(address++ % 250) + 1}`
const day = 86_400_000

beforeAll(async () => {
  w = await casesWorld()
  handler = await signedInOperator(w.t.deps, 'county_handler', countyA)
  otherCounty = await signedInOperator(w.t.deps, 'county_handler', countyB)
  admin = await signedInOperator(w.t.deps, 'city_admin')
})
afterAll(async () => {
  await w.stop()
})

async function acted(id: string, body: Record<string, unknown>) {
  const res = await act(w.app, handler.headers, id, body)
  if (res.status !== 200)
    throw new Error(`${String(body.action)}: ${res.status} ${await res.text()}`)
}

const completion = (reply: string) => ({
  finding: 'substantiated',
  followUp: 'ordered',
  handlingResult: '现场复核电子秤，责令改正。',
  publicReply: reply,
})

/** A web case accepted and handled (办结): its reply is published. */
async function handledCase() {
  const filed = await fileCase(w.app, w.t)
  await acted(filed.id, { action: 'accept', version: 1 })
  await acted(filed.id, { action: 'complete', version: 2, ...completion('经核查，已责令改正。') })
  return filed
}

const resident = (filed: { trackingNo: string; queryCode: string }) => ({
  trackingNo: filed.trackingNo,
  queryCode: filed.queryCode,
  clientAddress: nextAddress(),
})

async function refusal(promise: Promise<unknown>) {
  try {
    await promise
  } catch (error) {
    if (error instanceof ApiError) return error
    throw error
  }
  throw new Error('expected a refusal')
}

describe('rating a handled case', () => {
  it('is offered once the case is handled, and once only', async () => {
    const filed = await fileCase(w.app, w.t)
    const early = await refusal(
      rateComplaint({ ctx: w.t.deps, input: { ...resident(filed), rating: 'satisfied' } }),
    )
    expect(early.code).toBe('CONFLICT')
    expect(early.message).toBe('办结后才能评价办理结果。')

    await acted(filed.id, { action: 'accept', version: 1 })
    await acted(filed.id, { action: 'complete', version: 2, ...completion('已处理。') })
    const before = await trackComplaint({ ctx: w.t.deps, input: resident(filed) })
    expect(before.feedback).toMatchObject({ mayRate: true, rating: null, mayRequestReview: false })
    const view = await rateComplaint({
      ctx: w.t.deps,
      input: { ...resident(filed), rating: 'satisfied' },
    })
    expect(view.feedback).toMatchObject({
      rating: 'satisfied',
      mayRate: false,
      mayRequestReview: false,
    })
    const again = await refusal(
      rateComplaint({ ctx: w.t.deps, input: { ...resident(filed), rating: 'unsatisfied' } }),
    )
    expect(again.message).toBe('这件投诉举报已经评价过，每件只能评价一次。')
    // A satisfied resident has nothing to contest.
    const review = await refusal(requestReview({ ctx: w.t.deps, input: resident(filed) }))
    expect(review.message).toBe('只有评价为“不满意”的才能申请复核。')
    // A wrong query code opens nothing.
    const wrong = await refusal(
      rateComplaint({
        ctx: w.t.deps,
        input: { ...resident(filed), queryCode: 'AAAA-AAAA', rating: 'satisfied' },
      }),
    )
    expect(wrong.code).toBe('NOT_FOUND')
  })

  it('refuses an unknown rating and an over-long comment, saying how to fix them', async () => {
    const filed = await handledCase()
    const unknown = await refusal(
      rateComplaint({ ctx: w.t.deps, input: { ...resident(filed), rating: 'great' } }),
    )
    expect(unknown.message).toBe('请选择“满意”、“基本满意”或“不满意”。')
    const long = await refusal(
      rateComplaint({
        ctx: w.t.deps,
        input: { ...resident(filed), rating: 'unsatisfied', comment: '太'.repeat(501) },
      }),
    )
    expect(long.message).toBe('意见最多 500 个字，请精简后再提交。')
  })
})

describe('a 不满意 within 15 days', () => {
  it('reopens the case as 复核 with a new deadline; the handler sees why and replies again', async () => {
    const filed = await handledCase()
    const comment = '秤还是不准，请再查。我的电话 13812345678。'
    const view = await rateComplaint({
      ctx: w.t.deps,
      input: { ...resident(filed), rating: 'unsatisfied', comment, requestReview: true },
    })
    expect(view.status).toBe('review')
    expect(view.feedback).toMatchObject({
      rating: 'unsatisfied',
      reviewRequested: true,
      mayRequestReview: false,
    })
    const expectedDue = deadlineFor(w.t.deps.calendar, new Date(), feedbackRule.reviewWorkingDays)
    expect(view.dueAt).toBe(expectedDue.dueAt.toISOString())
    expect(view.timeline.at(-1)?.note).toContain(`${expectedDue.dueDate} 前完成复核`)

    // The county's handler sees it in the queue as 复核中, with the rating and the comment.
    const detail = await caseOf(w.app, handler.headers, filed.id)
    expect(detail.status).toBe('review')
    expect(detail.residentFeedback).toMatchObject({
      rating: 'unsatisfied',
      ratingName: '不满意',
      comment: '秤还是不准，请再查。我的电话 138****5678。',
    })
    expect(detail.allowedActions.map((a) => a.action)).toContain('complete')
    // Another county's handler cannot see it at all.
    expect(
      (
        await act(w.app, otherCounty.headers, filed.id, {
          action: 'note',
          version: detail.version,
          note: '看看',
        })
      ).status,
    ).toBe(404)

    // A second request is refused.
    const second = await refusal(requestReview({ ctx: w.t.deps, input: resident(filed) }))
    expect(second.message).toBe('这件投诉举报已经申请过复核，每件只能申请一次。')

    // The review's result is published like any reply.
    await acted(filed.id, {
      action: 'complete',
      version: detail.version,
      ...completion('复核结果：再次检定，电子秤已更换并复检合格。'),
    })
    const after = await trackComplaint({ ctx: w.t.deps, input: resident(filed) })
    expect(after.status).toBe('resolved')
    expect(after.timeline.map((e) => e.note).join('\n')).toContain('复核结果：再次检定')
    expect(after.feedback).toMatchObject({ mayRate: false, mayRequestReview: false })

    // The comment is sealed at rest, and erased with the rest of the resident's data.
    const row = await w.t.deps.db
      .selectFrom('complaints')
      .select(['ratingCommentSealed', 'ratingKeyId'])
      .where('id', '=', filed.id)
      .executeTakeFirstOrThrow()
    expect(row.ratingCommentSealed?.toString('utf8')).not.toContain('秤还是不准')
    await acted(filed.id, { action: 'close', version: detail.version + 1 })
    const closed = await caseOf(w.app, admin.headers, filed.id)
    const erase = await act(w.app, admin.headers, filed.id, {
      action: 'erase_personal_data',
      version: closed.version,
      note: '本人来电申请删除，已核对身份。',
    })
    expect(erase.status).toBe(200)
    const erased = await caseOf(w.app, admin.headers, filed.id)
    expect(erased.residentFeedback).toMatchObject({ rating: 'unsatisfied', comment: null })
  })

  it('may also be asked for later, until 15 days after the outcome, and not after', async () => {
    const late = await handledCase()
    await rateComplaint({ ctx: w.t.deps, input: { ...resident(late), rating: 'unsatisfied' } })
    const offered = await trackComplaint({ ctx: w.t.deps, input: resident(late) })
    expect(offered.feedback.mayRequestReview).toBe(true)
    expect(offered.feedback.reviewUntil).not.toBeNull()
    const gone = await refusal(
      requestReview({
        ctx: w.t.deps,
        input: { ...resident(late), now: new Date(Date.now() + 16 * day) },
      }),
    )
    expect(gone.code).toBe('CONFLICT')
    expect(gone.message).toContain('须在办结后 15 天内提出')

    const inTime = await requestReview({
      ctx: w.t.deps,
      input: { ...resident(late), now: new Date(Date.now() + 14 * day) },
    })
    expect(inTime.status).toBe('review')
  })
})

describe('the API', () => {
  it('rates through POST /api/complaints/rating and answers a repeat 409', async () => {
    const filed = await handledCase()
    const post = (body: unknown) =>
      w.app.request(
        '/api/complaints/rating',
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        },
        { clientAddress: nextAddress() },
      )
    const body = {
      trackingNo: filed.trackingNo,
      queryCode: filed.queryCode,
      rating: 'basically_satisfied',
    }
    const first = await post(body)
    expect(first.status).toBe(200)
    expect(((await first.json()) as { feedback: { rating: string } }).feedback.rating).toBe(
      'basically_satisfied',
    )
    expect((await post(body)).status).toBe(409)
  })
})
