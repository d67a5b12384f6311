import { findTrackedComplaint, publicTimeline } from '../../../db/queries/complaints.ts'
import type { ComplaintCategory, ComplaintKind, ComplaintStatus } from '../../../db/database.ts'
import type { ServiceContext } from '../../deps.ts'
import { ApiError } from '../../errors.ts'
import { clientKey } from '../limits/client-key.ts'
import { consumeLimits, giveBackAttempt, type Limit } from '../limits/rate-limit.ts'
import { normalizeTrackingNo, trackingNoPattern } from '../../domain/tracking-codes.ts'
import { queryCodeMatches } from './codes.ts'

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

/**
 * Lookups are limited per client address AND tracking number, plus per address overall, so that
 * nobody can lock a resident out of their own case: a stranger's wrong codes use up only the
 * stranger's own budget. There is deliberately no limit per number alone. A query code is 8
 * characters from 31 (about 40 bits): at the 20 tries an hour one address may make against one
 * number, 10,000 addresses would need over 200 years on average to hit its code, for a page that
 * shows no personal data, while a ceiling per number low enough to matter would let anyone with
 * that many addresses lock the resident out again.
 * A client whose address the server cannot learn is limited per number, as it has nothing else.
 */
function lookupLimits(trackingNo: string, client: string | undefined): Limit[] {
  const perNumber = {
    max: 5,
    windowSeconds: 15 * 60,
    message: '这个受理编号的查询码输错次数过多，为保护您的信息已暂停从您的网络查询。',
  }
  if (!client) return [{ bucket: `track:no:${trackingNo}`, ...perNumber }]
  return [
    { bucket: `track:pair:${client}:${trackingNo}`, ...perNumber },
    {
      bucket: `track:addr:${client}`,
      max: 30,
      windowSeconds: 3600,
      message: '查询失败次数过多，已暂停从您的网络查询。',
    },
  ]
}

/**
 * The citizen's view of a complaint: status, deadline and the public timeline, never personal
 * data. An unknown number and a wrong code get the same answer, so neither can be probed.
 *
 * Every attempt is counted before its code is checked (one statement adds the hit and returns the
 * total), so simultaneous guesses cannot all slip under the limit: at most `max` codes are ever
 * checked per window. A right code gives its hits back, so a resident who looks up their own case
 * again and again is never slowed down by it; only wrong codes use up the budget.
 */
export async function trackComplaint({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { trackingNo: string; queryCode: string; clientAddress: string }
}): Promise<TrackedComplaintView> {
  const trackingNo = normalizeTrackingNo(input.trackingNo)
  const wellFormed = trackingNoPattern.test(trackingNo)
  const limits = lookupLimits(
    wellFormed ? trackingNo : 'malformed',
    clientKey(ctx.privacy.hashKey, input.clientAddress),
  )
  const now = Date.now()
  await consumeLimits(ctx.db, limits, now)
  const found = wellFormed ? await findTrackedComplaint(ctx.db, trackingNo) : undefined
  if (
    !found ||
    !queryCodeMatches(ctx.privacy.hashKey, found.trackingNo, input.queryCode, found.queryCodeHash)
  ) {
    throw notFound()
  }
  const [timeline] = await Promise.all([
    publicTimeline(ctx.db, found.id),
    giveBackAttempt(ctx.db, limits, now),
  ])
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
