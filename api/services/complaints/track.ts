import {
  findTrackedComplaint,
  publicTimeline,
  type TrackedComplaint,
} from '../../../db/queries/complaints.ts'
import type { ComplaintCategory, ComplaintKind, ComplaintStatus } from '../../../db/database.ts'
import type { ServiceContext } from '../../deps.ts'
import { ApiError } from '../../errors.ts'
import { normalizeTrackingNo, trackingNoPattern } from '../../domain/tracking-codes.ts'
import { queryCodeMatches } from './codes.ts'
import { countTrackingTry } from './track-limits.ts'
import { feedbackOf, type Feedback } from './feedback.ts'
import { residentRewardOf, type ResidentReward } from './reward-view.ts'

export interface TrackedComplaintView {
  trackingNo: string
  kind: ComplaintKind
  category: ComplaintCategory
  status: ComplaintStatus
  receivedAt: string
  dueAt: string
  timeline: { kind: string; note: string; at: string }[]
  /** 满意度与复核: what the resident may still do about the outcome (rating.ts). */
  feedback: Feedback
  /** 举报奖励 once approved: amount, how and by when to claim it, the payment (reward.ts). */
  reward: ResidentReward | null
}

const notFound = () =>
  new ApiError(
    'NOT_FOUND',
    '没有找到与这个受理编号和查询码对应的记录。请核对两者（查询码在提交后的回执上）后重试。',
  )

/**
 * The case a tracking number and query code open, after the try was counted (and its count
 * given back, the code being right). An unknown number and a wrong code get the same answer, so
 * neither can be probed; see track-limits.ts for the rule and why it keeps guessing infeasible
 * without locking anyone out.
 */
export async function complaintOfResident(
  ctx: ServiceContext,
  input: { trackingNo: string; queryCode: string; clientAddress: string },
): Promise<TrackedComplaint> {
  const trackingNo = normalizeTrackingNo(input.trackingNo)
  const wellFormed = trackingNoPattern.test(trackingNo)
  const counted = await countTrackingTry(ctx, {
    trackingNo: wellFormed ? trackingNo : 'malformed',
    clientAddress: input.clientAddress,
  })
  const found = wellFormed ? await findTrackedComplaint(ctx.db, trackingNo) : undefined
  if (
    !found ||
    !queryCodeMatches(ctx.privacy.hashKey, found.trackingNo, input.queryCode, found.queryCodeHash)
  ) {
    throw notFound()
  }
  await counted.succeeded()
  return found
}

/** The citizen's view of a complaint: status, deadline and the public timeline, never personal data. */
export async function trackComplaint({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { trackingNo: string; queryCode: string; clientAddress: string }
}): Promise<TrackedComplaintView> {
  return trackedView(ctx, await complaintOfResident(ctx, input))
}

/** What a resident who holds the case's code sees of it: never personal data. */
export async function trackedView(
  ctx: Pick<ServiceContext, 'db'>,
  found: TrackedComplaint,
  now: Date = new Date(),
): Promise<TrackedComplaintView> {
  const [timeline, reward] = await Promise.all([
    publicTimeline(ctx.db, found),
    found.kind === 'report' ? residentRewardOf(ctx.db, found.id, now) : null,
  ])
  return {
    feedback: feedbackOf(found, now),
    reward,
    trackingNo: found.trackingNo,
    kind: found.kind,
    category: found.category,
    status: found.status,
    receivedAt: found.receivedAt.toISOString(),
    dueAt: found.dueAt.toISOString(),
    timeline: timeline.map((e) => ({ kind: e.kind, note: e.note, at: e.occurredAt.toISOString() })),
  }
}
