import { addCaseEvents } from '../../../db/queries/cases.ts'
import type { Transaction } from 'kysely'
import type { Database } from '../../../db/database.ts'
import {
  findTrackedComplaint,
  reopenForReview,
  storeRating,
} from '../../../db/queries/complaints.ts'
import { enqueue } from '../../../db/queries/outbox.ts'
import type { ServiceContext } from '../../deps.ts'
import { residentRatings, type ResidentRating } from '../../domain/complaints.ts'
import { deadlineFor } from '../../domain/working-days.ts'
import { ApiError } from '../../errors.ts'
import { encryptField, ratingCommentAad } from '../../privacy/pii.ts'
import { complaintChangedTopic, complaintKey } from '../../search/complaint-indexer.ts'
import { feedbackOf, feedbackRule } from './feedback.ts'
import { complaintOfResident, trackedView, type TrackedComplaintView } from './track.ts'

interface ResidentInput {
  trackingNo: string
  queryCode: string
  clientAddress: string
  /** Tests move the clock. */
  now?: Date
}

const conflict = (message: string) => new ApiError('CONFLICT', message)

function refuseField(field: string, message: string): never {
  throw new ApiError('VALIDATION_FAILED', message, [{ field, message }])
}

/**
 * 满意度 (issue 25, item 3): the resident who holds the case's query code rates its outcome once,
 * with an optional comment (personal data: sealed, shown to the case's handlers only, erased
 * with the rest). A 不满意 with `requestReview` asks for the review at once (see requestReview).
 */
export async function rateComplaint({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: ResidentInput & { rating: string; comment?: string; requestReview?: boolean }
}): Promise<TrackedComplaintView> {
  if (!(residentRatings as readonly string[]).includes(input.rating)) {
    refuseField('rating', '请选择“满意”、“基本满意”或“不满意”。')
  }
  const rating = input.rating as ResidentRating
  const comment = (input.comment ?? '').trim()
  if (comment.length > feedbackRule.commentChars) {
    refuseField('comment', `意见最多 ${feedbackRule.commentChars} 个字，请精简后再提交。`)
  }
  const found = await complaintOfResident(ctx, input)
  const now = input.now ?? new Date()
  const feedback = feedbackOf(found, now)
  if (!feedback.mayRate) {
    throw conflict(
      found.rating !== null
        ? '这件投诉举报已经评价过，每件只能评价一次。'
        : '办结后才能评价办理结果。',
    )
  }
  const sealed = comment
    ? encryptField(ctx.privacy.ring, comment, ratingCommentAad(found.trackingNo))
    : null
  const wantsReview = input.requestReview === true && rating === 'unsatisfied'
  await ctx.db.transaction().execute(async (trx) => {
    const stored = await storeRating(trx, {
      id: found.id,
      rating,
      commentSealed: sealed?.sealed ?? null,
      keyId: sealed?.keyId ?? null,
      at: now,
    })
    if (!stored) throw conflict('这件投诉举报已经评价过，每件只能评价一次。')
    if (wantsReview && feedbackOf({ ...found, rating }, now).mayRequestReview) {
      await reopenCase(ctx, trx, found, now)
    }
  })
  ctx.logger.info(
    { complaintId: found.id, rating, review: wantsReview },
    'case rated by its resident',
  )
  return viewAfterChange(ctx, found.trackingNo)
}

/**
 * 申请复核 (issue 25, item 3): a resident who rated the outcome 不满意 asks, within 15 days of it
 * and once, for the case to be looked at again. It returns to the county's queue as 复核中 with a
 * deadline of its own (`feedbackRule.reviewWorkingDays` working days); the handler sees the
 * rating and comment, and publishes the result as any reply (办结).
 */
export async function requestReview({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: ResidentInput
}): Promise<TrackedComplaintView> {
  const found = await complaintOfResident(ctx, input)
  const now = input.now ?? new Date()
  const feedback = feedbackOf(found, now)
  if (!feedback.mayRequestReview) {
    throw conflict(
      found.reviewRequestedAt !== null
        ? '这件投诉举报已经申请过复核，每件只能申请一次。'
        : found.rating !== 'unsatisfied'
          ? '只有评价为“不满意”的才能申请复核。'
          : `申请复核须在办结后 ${feedbackRule.reviewWindowDays} 天内提出，现已超过期限。如有异议，可拨打 12345 反映。`,
    )
  }
  await ctx.db.transaction().execute((trx) => reopenCase(ctx, trx, found, now))
  ctx.logger.info({ complaintId: found.id }, 'review requested by the resident')
  return viewAfterChange(ctx, found.trackingNo)
}

/**
 * The review, in the caller's transaction: the case returns to the county's queue as 复核中 with a
 * deadline of its own, the public timeline says until when, and the private index is refreshed.
 */
async function reopenCase(
  ctx: ServiceContext,
  trx: Transaction<Database>,
  found: { id: string; handledId: string },
  at: Date,
) {
  const deadline = deadlineFor(ctx.calendar, at, feedbackRule.reviewWorkingDays)
  const reopened = await reopenForReview(trx, {
    id: found.id,
    handledId: found.handledId,
    dueAt: deadline.dueAt,
    at,
  })
  if (!reopened) throw conflict('这件投诉举报已经申请过复核，每件只能申请一次。')
  await addCaseEvents(trx, [
    {
      complaintId: found.id,
      kind: 'review',
      isPublic: true,
      note: `您对办理结果不满意，申请了复核。市场监管部门将在 ${deadline.dueDate} 前完成复核并公布结果。`,
      actor: 'citizen',
      occurredAt: at,
    },
    // The case handled for a merged one: its own resident sees why it is under review again.
    ...(found.handledId === found.id
      ? []
      : [
          {
            complaintId: found.handledId,
            kind: 'review',
            isPublic: true,
            note: `合并办理的投诉举报人对办理结果不满意，申请了复核。市场监管部门将在 ${deadline.dueDate} 前完成复核并公布结果。`,
            actor: 'system',
            occurredAt: at,
          },
        ]),
  ])
  await enqueue(
    trx,
    [...new Set([found.id, found.handledId])].map((id) => ({
      topic: complaintChangedTopic,
      aggregateKey: complaintKey(id),
      payload: { id },
    })),
  )
}

/**
 * The case as its resident sees it after a change. (The console's counts per status show it
 * within their few seconds of reuse, as they show a new complaint.)
 */
async function viewAfterChange(ctx: ServiceContext, trackingNo: string) {
  const found = await findTrackedComplaint(ctx.db, trackingNo)
  if (!found) throw new Error(`case ${trackingNo} vanished after its resident's change`)
  return trackedView(ctx, found)
}
