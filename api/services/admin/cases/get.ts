import { maskPersonalNumbers } from '../../../domain/masks.ts'
import { casePhotos, caseTimeline, findCase, type CaseRow } from '../../../../db/queries/cases.ts'
import {
  callbacksOfCase,
  ticketOfCase,
  type CallbackRow,
  type TicketRow,
} from '../../../../db/queries/hotline-callbacks.ts'
import type { ServiceContext } from '../../../deps.ts'
import { kindLabels, residentRatingLabels, unitName } from '../../../domain/complaints.ts'
import { decryptField, ratingCommentAad } from '../../../privacy/pii.ts'
import { caseFindingLabels, caseFollowUpLabels } from '../../../domain/credit.ts'
import { mayRevealPersonalData, type SignedInOperator } from '../access.ts'
import { recordAudit } from '../audit.ts'
import { warningsForCase } from '../warnings/read.ts'
import { casesMergedInto, trackingNoOf } from '../../../../db/queries/merged-cases.ts'
import { likelyDuplicates } from './duplicates.ts'
import { maskedContact } from './contact.ts'
import {
  callbackStateLabels,
  callbackTypeLabels,
  channelLabels,
  isRejectionReason,
  mediationResultLabels,
  rejectionReasonLabels,
  requestStateLabels,
  satisfactionLabels,
  timelineKindLabels,
  urgencyLabels,
} from './labels.ts'
import { allowedActions, caseMachine } from './machine.ts'
import type { CaseDetail, HotlineCallbackView, HotlineCase } from './schemas.ts'
import { assertCaseVisible, checkedId } from './scope.ts'
import { isoOrNull, toQueueItem } from './view.ts'

const photoUrl = (photoId: string) => `/api/admin/photos/${photoId}`

/**
 * One case with every field, for an operator who may see it (else 404): personal data masked,
 * photos as console URLs, the whole timeline, the version an action must quote, and the actions
 * this operator may take now. Each view is in the audit log: the page shows what the resident
 * wrote, which may name people.
 */
export async function getCase({
  ctx,
  operator,
  input,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  input: { id: string; clientAddress: string }
}): Promise<CaseDetail> {
  const row = await findCase(ctx.db, checkedId(input.id))
  assertCaseVisible(operator, row)
  const [view] = await Promise.all([
    caseDetail(ctx, operator, row),
    recordAudit(ctx.db, {
      operator,
      action: 'case.viewed',
      complaintId: row.id,
      clientAddress: input.clientAddress,
    }),
  ])
  return view
}

/** The resident's rating and comment (unsealed, numbers masked), or null before one. */
function residentFeedbackOf(ctx: ServiceContext, row: CaseRow): CaseDetail['residentFeedback'] {
  if (row.rating === null || row.ratedAt === null) return null
  const comment =
    row.ratingCommentSealed && row.ratingKeyId
      ? decryptField(
          ctx.privacy.ring,
          row.ratingKeyId,
          row.ratingCommentSealed,
          ratingCommentAad(row.trackingNo),
        )
      : null
  return {
    rating: row.rating,
    ratingName: residentRatingLabels[row.rating],
    comment: comment === null ? null : maskPersonalNumbers(comment),
    ratedAt: row.ratedAt.toISOString(),
    reviewRequestedAt: isoOrNull(row.reviewRequestedAt),
  }
}

/** The detail view of a case row already found (and checked, unless the caller just changed it). */
export async function caseDetail(
  ctx: ServiceContext,
  operator: SignedInOperator,
  row: CaseRow,
): Promise<CaseDetail> {
  const [photos, timeline, ticket, callbacks, warnings, merged, duplicates, mergedIntoNo] =
    await Promise.all([
      casePhotos(ctx.db, row.id),
      caseTimeline(ctx.db, row.id),
      row.channel === 'hotline12345' ? ticketOfCase(ctx.db, row.id) : undefined,
      row.channel === 'hotline12345' ? callbacksOfCase(ctx.db, row.id) : [],
      warningsForCase(ctx, operator, row.id),
      casesMergedInto(ctx.db, row.id),
      likelyDuplicates(ctx, operator, row),
      row.mergedInto === null ? undefined : trackingNoOf(ctx.db, row.mergedInto),
    ])
  const reason = isRejectionReason(row.rejectionReason) ? row.rejectionReason : null
  const detail: CaseDetail = {
    ...toQueueItem(row, ctx.calendar, new Date()),
    kindName: kindLabels[row.kind],
    channelName: channelLabels[row.channel],
    merchantUscc: row.merchantUscc,
    enterpriseUscc: row.enterpriseUscc,
    enterpriseName: row.enterpriseName,
    address: row.address,
    occurredAt: row.occurredAt.toISOString(),
    description: row.description,
    contact: maskedContact(ctx.privacy, row),
    personalDataErasedAt: isoOrNull(row.personalDataErasedAt),
    personalDataErasure: row.personalDataErasure,
    erasureHeldAt: isoOrNull(row.erasureHeldAt),
    erasureHoldNote: row.erasureHoldNote,
    figures:
      row.claimedQuantity !== null && row.measuredQuantity !== null
        ? {
            claimedQuantity: row.claimedQuantity,
            measuredQuantity: row.measuredQuantity,
            unit: row.unit,
            unitName: unitName(row.unit),
            unitPrice: row.unitPrice,
            shortfallAmount: row.shortfallAmount,
          }
        : null,
    acceptedAt: isoOrNull(row.acceptedAt),
    rejectionReason: reason,
    rejectionReasonName: reason === null ? null : rejectionReasonLabels[reason],
    rejectionNote: row.rejectionNote,
    mediationResult: row.mediationResult,
    mediationResultName:
      row.mediationResult === null ? null : mediationResultLabels[row.mediationResult],
    handlingResult: row.handlingResult,
    publicReply: row.publicReply,
    resolvedAt: isoOrNull(row.resolvedAt),
    closedAt: isoOrNull(row.closedAt),
    finding: row.finding,
    findingName: row.finding === null ? null : caseFindingLabels[row.finding],
    followUp: row.followUp,
    followUpName: row.followUp === null ? null : caseFollowUpLabels[row.followUp],
    residentFeedback: residentFeedbackOf(ctx, row),
    version: row.version,
    photos: photos.map((p) => ({ id: p.id, url: photoUrl(p.id), contentType: p.contentType })),
    timeline: timeline.map((e) => ({
      id: e.id,
      kind: e.kind,
      kindName: timelineKindLabels[e.kind] ?? '办理进展',
      isPublic: e.isPublic,
      note: e.note,
      actor: e.actor,
      at: e.occurredAt.toISOString(),
    })),
    allowedActions: allowedActions(operator, { ...row, ticket: ticket ?? null }).map((action) => ({
      action,
      label: caseMachine[action].label,
    })),
    hotline: ticket ? hotlineView(ticket, callbacks, ctx.hotline.callbackUrl !== undefined) : null,
    warnings,
    mergedInto:
      row.mergedInto === null ? null : { id: row.mergedInto, trackingNo: mergedIntoNo ?? '' },
    mergedCases: merged.map((m) => ({
      id: m.id,
      trackingNo: m.trackingNo,
      channelName: channelLabels[m.channel],
      receivedAt: m.receivedAt.toISOString(),
      mergedAt: (m.mergedAt ?? m.receivedAt).toISOString(),
    })),
    duplicates,
  }
  return mayRevealPersonalData(operator) ? detail : maskedForViewer(detail)
}

const maskOrNull = (text: string | null) => (text === null ? null : maskPersonalNumbers(text))

/**
 * A viewer never sees personal data: every text on the case that a resident, the 12345 hotline
 * or a handler wrote in their own words may quote a phone or an ID number, and each is masked
 * here as the private index masks it (the business, the address and the description a resident
 * typed, the ticket's title, notes, replies, and what the hotline answered a callback).
 */
function maskedForViewer(detail: CaseDetail): CaseDetail {
  return {
    ...detail,
    merchantName: maskPersonalNumbers(detail.merchantName),
    address: maskPersonalNumbers(detail.address),
    description: maskPersonalNumbers(detail.description),
    erasureHoldNote: maskOrNull(detail.erasureHoldNote),
    rejectionNote: maskOrNull(detail.rejectionNote),
    handlingResult: maskOrNull(detail.handlingResult),
    publicReply: maskOrNull(detail.publicReply),
    timeline: detail.timeline.map((e) => ({ ...e, note: maskPersonalNumbers(e.note) })),
    duplicates: detail.duplicates.map((d) => ({
      ...d,
      merchantName: maskPersonalNumbers(d.merchantName),
      address: maskPersonalNumbers(d.address),
      excerpt: maskPersonalNumbers(d.excerpt),
    })),
    hotline: detail.hotline && {
      ...detail.hotline,
      title: maskPersonalNumbers(detail.hotline.title),
      callbacks: detail.hotline.callbacks.map((c) => ({
        ...c,
        lastError: maskOrNull(c.lastError),
      })),
    },
  }
}

export function callbackView(c: CallbackRow): HotlineCallbackView {
  return {
    id: c.id,
    webhookId: c.webhookId,
    type: c.eventType,
    typeName: callbackTypeLabels[c.eventType],
    state: c.state,
    stateName: callbackStateLabels[c.state],
    attempts: c.attempts,
    nextAttemptAt: c.state === 'pending' ? c.nextAttemptAt.toISOString() : null,
    lastAttemptAt: isoOrNull(c.lastAttemptAt),
    lastStatus: c.lastStatus,
    lastError: c.lastError,
    deliveredAt: isoOrNull(c.deliveredAt),
    createdAt: c.createdAt.toISOString(),
  }
}

function hotlineView(
  t: TicketRow,
  callbacks: readonly CallbackRow[],
  callbackUrlConfigured: boolean,
): HotlineCase {
  return {
    ticketNo: t.ticketNo,
    title: t.title,
    appealType: t.appealType,
    urgency: t.urgency,
    urgencyName: urgencyLabels[t.urgency],
    deadline: t.deadline.toISOString(),
    urgeCount: t.urgeCount,
    supervisedAt: isoOrNull(t.supervisedAt),
    returnState: t.returnState,
    returnStateName: requestStateLabels[t.returnState],
    extensionState: t.extensionState,
    extensionStateName: requestStateLabels[t.extensionState],
    satisfaction: t.satisfaction,
    satisfactionName: t.satisfaction === null ? null : satisfactionLabels[t.satisfaction],
    callbackUrlConfigured,
    callbacks: callbacks.map(callbackView),
  }
}
