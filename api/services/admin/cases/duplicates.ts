import type { CaseRow } from '../../../../db/queries/cases.ts'
import { duplicateCandidates, type SubjectKey } from '../../../../db/queries/merged-cases.ts'
import type { ServiceContext } from '../../../deps.ts'
import {
  complaintStatusLabels,
  kindLabels,
  openComplaintStatuses,
  type ComplaintChannel,
  type ComplaintKind,
  type ComplaintStatus,
} from '../../../domain/complaints.ts'
import {
  descriptionSimilarity,
  duplicateReasonLabels,
  duplicateReasons,
  duplicateRule,
} from '../../../domain/duplicates.ts'
import { subjectsOfComplaint } from '../../../domain/warning-subjects.ts'
import { caseCountyScope, type SignedInOperator } from '../access.ts'
import { channelLabels } from './labels.ts'
import { mayHandleCases, type Refusal } from './machine.ts'
import type { CaseDetail } from './schemas.ts'

const dayMs = 86_400_000
const excerptChars = 120

const isOpen = (status: ComplaintStatus) =>
  (openComplaintStatuses as readonly ComplaintStatus[]).includes(status)

interface MergeFacts {
  trackingNo: string
  kind: ComplaintKind
  channel: ComplaintChannel
  status: ComplaintStatus
}

/**
 * Why `duplicate` may not be merged into `into` by this operator, or null when it may. A merged
 * case is handled as the one it joins, so both must still be open and of one kind (a 投诉's
 * mediation and a 举报's verification follow different procedures), and a 12345 work order is
 * answered to the hotline one by one, so it is never the one merged away.
 */
export function mergeRefusal(
  op: SignedInOperator,
  into: MergeFacts,
  duplicate: MergeFacts,
): Refusal | null {
  if (!mayHandleCases(op)) return { code: 'FORBIDDEN', message: '只读账号不能合并案件。' }
  const conflict = mergeConflict(into, duplicate)
  return conflict === null ? null : { code: 'CONFLICT', message: conflict }
}

function mergeConflict(into: MergeFacts, duplicate: MergeFacts): string | null {
  if (!isOpen(into.status)) {
    return `本案${complaintStatusLabels[into.status]}，只有正在办理的案件才能并入其他案件。`
  }
  if (!isOpen(duplicate.status)) {
    return `案件 ${duplicate.trackingNo} ${complaintStatusLabels[duplicate.status]}，只有正在办理的案件才能并入。`
  }
  if (duplicate.kind !== into.kind) {
    return `投诉和举报的办理程序不同，${kindLabels[duplicate.kind]}不能并入${kindLabels[into.kind]}。`
  }
  if (duplicate.channel === 'hotline12345') {
    return '12345 工单须逐件答复热线，不能并入其他案件；可以打开这件工单，把本案并入它。'
  }
  return null
}

/** The business and place a case names, as early warning files it (complaint_subjects). */
function subjectsOf(row: CaseRow): SubjectKey[] {
  return subjectsOfComplaint({ ...row, ticketNo: null })
    .filter((s) => s.kind === 'business' || s.kind === 'address')
    .map((s) => ({ kind: s.kind, key: s.key }))
}

/**
 * 可能重复的案件 (issue 25, item 4): open cases in the operator's scope received within 30 days
 * either side of this open case that name the same business, or the same market or street with a
 * similar description; the same business first, then the most alike.
 */
export async function likelyDuplicates(
  ctx: Pick<ServiceContext, 'db'>,
  operator: SignedInOperator,
  row: CaseRow,
): Promise<CaseDetail['duplicates']> {
  if (!isOpen(row.status)) return []
  const received = row.receivedAt.getTime()
  const found = await duplicateCandidates(ctx.db, {
    id: row.id,
    subjects: subjectsOf(row),
    from: new Date(received - duplicateRule.windowDays * dayMs),
    to: new Date(received + duplicateRule.windowDays * dayMs),
    county: caseCountyScope(operator),
    limit: duplicateRule.candidates,
  })
  return found
    .map((c) => {
      const similarity = descriptionSimilarity(row.description, c.description)
      const shared = {
        business: c.sharedKinds.includes('business'),
        place: c.sharedKinds.includes('address'),
      }
      return { c, similarity, shared, reasons: duplicateReasons(shared, similarity) }
    })
    .filter((d) => d.reasons.length > 0)
    .sort(
      (a, b) =>
        Number(b.shared.business) - Number(a.shared.business) || b.similarity - a.similarity,
    )
    .slice(0, duplicateRule.listed)
    .map(({ c, similarity, reasons }) => ({
      id: c.id,
      trackingNo: c.trackingNo,
      kindName: kindLabels[c.kind],
      statusName: complaintStatusLabels[c.status],
      channelName: channelLabels[c.channel],
      receivedAt: c.receivedAt.toISOString(),
      merchantName: c.merchantName,
      address: c.address,
      excerpt:
        c.description.length > excerptChars
          ? `${c.description.slice(0, excerptChars)}…`
          : c.description,
      similarity: Math.round(similarity * 100),
      reasons: reasons.map((r) => duplicateReasonLabels[r]),
      mergeRefusal: mergeRefusal(operator, row, c)?.message ?? null,
    }))
}
