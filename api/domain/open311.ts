// Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2), as this portal speaks it
// (issue 27, item 3; the integrators' page is /developers/).

import type { ComplaintStatus } from './complaints.ts'

/** Where the endpoints live: a versioned path of its own, beside /api. */
export const open311Base = '/open311/v2'

/** The formats the specification defines, chosen by the path's suffix (`services.json`). */
export const open311Formats = ['json', 'xml'] as const
export type Open311Format = (typeof open311Formats)[number]

/** The specification's two states. */
export type Open311Status = 'open' | 'closed'

/**
 * A case is `open` while it still runs against a deadline (received, accepted, in progress, in
 * review) and `closed` once it was handled, refused or archived; the detailed Chinese status
 * goes in `status_notes`.
 */
export const open311StatusOf: Record<ComplaintStatus, Open311Status> = {
  received: 'open',
  accepted: 'open',
  in_progress: 'open',
  review: 'open',
  rejected: 'closed',
  resolved: 'closed',
  closed: 'closed',
  returned: 'closed',
  // Never answered as such: a merged case answers with the status of the case handled for it.
  merged: 'open',
}

/** The statuses behind each Open311 state, for the `status` filter. */
export const complaintStatusesOf = (status: Open311Status): ComplaintStatus[] =>
  (Object.keys(open311StatusOf) as ComplaintStatus[]).filter((s) => open311StatusOf[s] === status)

/** The bureau answering a county's cases, as `agency_responsible` names it. */
export const countyBureauName = (countyName: string) => `${countyName}市场监督管理局`
