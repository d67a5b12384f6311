import {
  findVisit,
  visitInspectors,
  visitInstruments,
  visitPhotos,
  type VisitRow,
} from '../../../../db/queries/visits.ts'
import type { ServiceContext } from '../../../deps.ts'
import {
  followUpResultLabels,
  inspectionKindLabels,
  visitResultLabels,
  visitStatusLabels,
  type InspectionKind,
} from '../../../domain/credit.ts'
import type { SignedInOperator } from '../access.ts'
import { checkedVisitId, visitAccess, visitNotFound } from './access.ts'
import type { VisitDetail } from './schemas.ts'

/** At most so many photos per visit (visit_photos.position is 1..10). */
export const maxVisitPhotos = 10

const visitPhotoUrl = (photoId: string) => `/api/admin/visit-photos/${photoId}`

/** One visit for an operator who may see it (else 404), with what they may do with it. */
export async function getVisit({
  ctx,
  operator,
  input,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  input: { id: string }
}): Promise<VisitDetail> {
  const row = await findVisit(ctx.db, checkedVisitId(input.id))
  if (!row) throw visitNotFound()
  const access = await visitAccess(ctx, operator, row)
  if (!access.read) throw visitNotFound()
  return visitDetail(ctx, row, access.write)
}

/** The detail of a visit row already found and checked. */
export async function visitDetail(
  ctx: ServiceContext,
  row: VisitRow,
  mayEdit: boolean,
): Promise<VisitDetail> {
  const [inspectors, instruments, photos] = await Promise.all([
    visitInspectors(ctx.db, row.id),
    visitInstruments(ctx.db, row.id),
    visitPhotos(ctx.db, row.id),
  ])
  const kind = row.campaignKind as InspectionKind
  return {
    id: row.id,
    uscc: row.uscc,
    businessName: row.businessName ?? row.uscc,
    businessAddress: row.businessAddress ?? '',
    countyCode: row.countyCode,
    countyName: row.countyName,
    drawRank: row.drawRank,
    campaign: {
      id: row.campaignId,
      title: row.campaignTitle,
      kind,
      kindName:
        (inspectionKindLabels as Record<string, string>)[row.campaignKind] ?? row.campaignKind,
      startsOn: row.campaignStartsOn,
      endsOn: row.campaignEndsOn,
    },
    status: row.status,
    statusName: visitStatusLabels[row.status],
    visitedOn: row.visitedOn,
    result: row.result,
    resultName: row.result === null ? null : visitResultLabels[row.result],
    findings: row.findings,
    rectificationDue: row.rectificationDue,
    followUpOn: row.followUpOn,
    followUpResult: row.followUpResult,
    followUpResultName:
      row.followUpResult === null ? null : followUpResultLabels[row.followUpResult],
    followUpNote: row.followUpNote,
    recordedAt: row.recordedAt?.toISOString() ?? null,
    publishedAt: row.publishedAt?.toISOString() ?? null,
    version: row.version,
    inspectors: inspectors.map((i) => ({
      id: i.operatorId,
      username: i.username,
      present: i.present,
    })),
    instruments: instruments.map((i) => ({
      kind: i.instrumentKind,
      makerModel: i.makerModel,
      serialNo: i.serialNo,
      verificationValid: i.verificationValid,
      passed: i.passed,
      measuredError: i.measuredError,
    })),
    photos: photos.map((p) => ({
      id: p.id,
      url: visitPhotoUrl(p.id),
      contentType: p.contentType,
      originalName: p.originalName,
    })),
    mayEdit,
    photosLeft: Math.max(0, maxVisitPhotos - photos.length),
  }
}
