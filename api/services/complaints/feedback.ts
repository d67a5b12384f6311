import type { TrackedComplaint } from '../../../db/queries/complaints.ts'
import type { ResidentRating } from '../../domain/complaints.ts'

/**
 * 满意度与复核 (issue 25, item 3): once a web case is handled (办结, or 归档), its resident may rate
 * the outcome, once; a 不满意 may ask for a review (申请复核) within `reviewWindowDays` of the
 * outcome, once. Pure: the rules the tracking page shows and the verbs (rating.ts) enforce.
 */
export const feedbackRule = {
  reviewWindowDays: 15,
  /** The review's own deadline, in working days from the request. */
  reviewWorkingDays: 15,
  commentChars: 500,
} as const

export interface Feedback {
  /** The rating given, if any. */
  rating: ResidentRating | null
  mayRate: boolean
  mayRequestReview: boolean
  /** The last day a review may be asked for (Beijing date), while it still may be. */
  reviewUntil: string | null
  reviewRequested: boolean
}

const dayMs = 86_400_000

/** When the outcome was published: 办结, or 归档 for a case closed without one (不予受理). */
const outcomeAt = (c: Pick<TrackedComplaint, 'resolvedAt' | 'closedAt'>) =>
  c.resolvedAt ?? c.closedAt

export function feedbackOf(
  c: Pick<
    TrackedComplaint,
    'channel' | 'status' | 'resolvedAt' | 'closedAt' | 'rating' | 'reviewRequestedAt'
  >,
  now: Date,
): Feedback {
  const at = outcomeAt(c)
  const handled = c.channel === 'web' && (c.status === 'resolved' || c.status === 'closed') && at
  const until = handled ? new Date(handled.getTime() + feedbackRule.reviewWindowDays * dayMs) : null
  const mayRequestReview =
    until !== null && c.rating === 'unsatisfied' && c.reviewRequestedAt === null && now <= until
  return {
    rating: c.rating,
    mayRate: until !== null && c.rating === null,
    mayRequestReview,
    reviewUntil: mayRequestReview ? until.toISOString() : null,
    reviewRequested: c.reviewRequestedAt !== null,
  }
}
