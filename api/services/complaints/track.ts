import { findTrackedComplaint, publicTimeline } from '../../../db/queries/complaints.ts'
import type { ComplaintCategory, ComplaintKind, ComplaintStatus } from '../../../db/database.ts'
import type { ServiceContext } from '../../deps.ts'
import { ApiError } from '../../errors.ts'
import { clientKey } from '../limits/client-key.ts'
import { assertUnderLimits, countFailures, type Limit } from '../limits/rate-limit.ts'
import { normalizeTrackingNo, queryCodeMatches, trackingNoPattern } from './codes.ts'

export interface TrackedComplaintView {
  trackingNo: string
  kind: ComplaintKind
  category: ComplaintCategory
  status: ComplaintStatus
  receivedAt: string
  dueAt: string
  timeline: { kind: string; note: string; at: string }[]
}

const notFound = () =>
  new ApiError(
    'NOT_FOUND',
    '没有找到与这个受理编号和查询码对应的记录。请核对两者（查询码在提交后的回执上）后重试。',
  )

/** Wrong codes are slowed down per tracking number and per client address. */
function failureLimits(trackingNo: string, client: string | undefined): Limit[] {
  return [
    {
      bucket: `track:no:${trackingNo}`,
      max: 5,
      windowSeconds: 15 * 60,
      message: '这个受理编号的查询码输错次数过多，为保护您的信息已暂停查询。',
    },
    ...(client
      ? [
          {
            bucket: `track:addr:${client}`,
            max: 30,
            windowSeconds: 3600,
            message: '查询失败次数过多，已暂停查询。',
          },
        ]
      : []),
  ]
}

/**
 * The citizen's view of a complaint: status, deadline and the public timeline, never personal
 * data. An unknown number and a wrong code get the same answer, so neither can be probed.
 */
export async function trackComplaint({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { trackingNo: string; queryCode: string; clientAddress: string }
}): Promise<TrackedComplaintView> {
  const trackingNo = normalizeTrackingNo(input.trackingNo)
  const limits = failureLimits(
    trackingNoPattern.test(trackingNo) ? trackingNo : 'malformed',
    clientKey(ctx.privacy.hashKey, input.clientAddress),
  )
  await assertUnderLimits(ctx.db, limits)
  const found = trackingNoPattern.test(trackingNo)
    ? await findTrackedComplaint(ctx.db, trackingNo)
    : undefined
  if (
    !found ||
    !queryCodeMatches(ctx.privacy.hashKey, found.trackingNo, input.queryCode, found.queryCodeHash)
  ) {
    await countFailures(ctx.db, limits)
    throw notFound()
  }
  const timeline = await publicTimeline(ctx.db, found.id)
  return {
    trackingNo: found.trackingNo,
    kind: found.kind,
    category: found.category,
    status: found.status,
    receivedAt: found.receivedAt.toISOString(),
    dueAt: found.dueAt.toISOString(),
    timeline: timeline.map((e) => ({ kind: e.kind, note: e.note, at: e.occurredAt.toISOString() })),
  }
}
