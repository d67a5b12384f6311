import {
  caseFindingLabels,
  caseFollowUpLabels,
  creditGradeLabels,
  followUpResultLabels,
  inspectionKindLabels,
  penaltyKindLabels,
  visitResultLabels,
  type CreditRecord,
} from '../../domain/credit.ts'
import { beijingDate } from '../../domain/beijing-time.ts'
import { statusLabels } from '../../domain/certification.ts'
import { categoryLabels } from '../../domain/complaints.ts'
import { loadCreditRecord } from '../../../db/queries/credit-record.ts'
import {
  gradeOf,
  usccsWithCreditRecord,
  type StoredGrade,
} from '../../../db/queries/credit-grades.ts'
import { findEnterprise, type EnterpriseView } from '../../../db/queries/enterprises.ts'
import {
  allMarketEntities,
  marketEntitiesByUscc,
  type MarketEntityView,
} from '../../../db/queries/market-entities.ts'
import type { ServiceContext } from '../../deps.ts'
import { ApiError } from '../../errors.ts'
import type { PublicRecord } from './record-schemas.ts'

export type { PublicRecord } from './record-schemas.ts'
export type MarketEntity = MarketEntityView

type Identity = Pick<
  MarketEntityView,
  'uscc' | 'name' | 'county' | 'countyName' | 'sector' | 'sectorName' | 'address'
> & { isDemo?: boolean }

/** Who a record is about: a market entity, or a certified business with its certification. */
export type RecordBusiness =
  | Identity
  | (Identity & Pick<EnterpriseView, 'status' | 'statusSince' | 'certifiedAt' | 'validUntil'>)

/** Kinds are extensible (inspection_kinds): one added since this build shows its code. */
const kindLabel = (kind: string) =>
  (inspectionKindLabels as Partial<Record<string, string>>)[kind] ?? kind

const emptyRecord = (uscc: string): CreditRecord => ({
  uscc,
  certification: null,
  commitment: null,
  inspections: [],
  cases: [],
  penalties: [],
})

/**
 * The public answer for one business from what was read: labels beside codes, and nothing a
 * resident gave (loadCreditRecord reads none of it; a case is named by date and category only,
 * not by its internal id, which is no business of the public).
 */
function toPublicRecord(
  business: RecordBusiness,
  grade: StoredGrade | undefined,
  record: CreditRecord,
  asOf: string,
): PublicRecord {
  const certified = 'status' in business ? business : null
  return {
    uscc: business.uscc,
    name: business.name,
    county: business.county,
    countyName: business.countyName,
    sector: business.sector,
    sectorName: business.sectorName,
    address: business.address,
    certification: certified && {
      status: certified.status,
      statusLabel: statusLabels[certified.status],
      statusSince: certified.statusSince,
      certifiedAt: certified.certifiedAt,
      validUntil: certified.validUntil,
    },
    grade: grade
      ? {
          grade: grade.grade,
          label: creditGradeLabels[grade.grade],
          reasons: grade.reasons,
          ruleVersion: grade.ruleVersion,
          nextAgeOut: grade.nextAgeOut,
          nextAgeOutNote: grade.nextAgeOutNote,
          computedAt: grade.computedAt.toISOString(),
        }
      : null,
    commitment: record.commitment,
    inspections: record.inspections.map((v) => ({
      campaignId: v.campaignId,
      campaignTitle: v.campaignTitle,
      kind: v.kind,
      kindLabel: kindLabel(v.kind),
      visitedOn: v.visitedOn,
      result: v.result,
      resultLabel: visitResultLabels[v.result],
      instrumentsChecked: v.instrumentsChecked,
      instrumentsFailed: v.instrumentsFailed,
      findings: v.findings,
      rectificationDue: v.rectificationDue,
      followUp: v.followUp && {
        on: v.followUp.on,
        result: v.followUp.result,
        resultLabel: followUpResultLabels[v.followUp.result],
      },
      correction: v.correction,
    })),
    cases: record.cases.map((c) => ({
      closedOn: c.closedOn,
      category: c.category,
      categoryLabel: categoryLabels[c.category],
      finding: c.finding,
      findingLabel: caseFindingLabels[c.finding],
      followUp: c.followUp,
      followUpLabel: caseFollowUpLabels[c.followUp],
      correction: c.correction,
    })),
    penalties: record.penalties.map((p) => ({
      decisionNo: p.decisionNo,
      decidedOn: p.decidedOn,
      kind: p.kind,
      kindLabel: penaltyKindLabels[p.kind],
      violation: p.violation,
      penalty: p.penalty,
      legalBasis: p.legalBasis,
      publishedUntil: p.publishedUntil,
      correction: p.correction,
    })),
    isDemo: business.isDemo ?? false,
    asOf,
  }
}

/** The certified business with this code, else the market entity; undefined when neither. */
async function findPublicBusiness(ctx: ServiceContext, uscc: string) {
  const certified = await findEnterprise(ctx.db, uscc)
  if (certified) return certified
  const [entity] = await marketEntitiesByUscc(ctx.db, [uscc])
  return entity
}

/**
 * A business's public credit record (市场主体计量信用记录): who it is, its certification or
 * 未认定, its grade with reasons, and every published item. Read live from PostgreSQL through the
 * one reader of the record, so the API, the pages and the grade never disagree.
 */
export async function getPublicRecord({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { uscc: string; today?: string }
}): Promise<PublicRecord> {
  const today = input.today ?? beijingDate()
  const [business, grade, record] = await Promise.all([
    findPublicBusiness(ctx, input.uscc),
    gradeOf(ctx.db, input.uscc),
    loadCreditRecord(ctx.db, input.uscc, today),
  ])
  if (!business) {
    throw new ApiError(
      'NOT_FOUND',
      `未找到统一社会信用代码为 ${input.uscc} 的单位。请核对代码，或在名录中按名称搜索。`,
    )
  }
  return toPublicRecord(business, grade, record, today)
}

/**
 * Records for many businesses at once (the static build, the open data): the full record is read
 * only for codes in `withRecord`; the others have none to read.
 */
export async function publicRecordsOf({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: {
    businesses: readonly RecordBusiness[]
    withRecord: ReadonlySet<string>
    today: string
  }
}): Promise<PublicRecord[]> {
  const out: PublicRecord[] = []
  for (const business of input.businesses) {
    if (!input.withRecord.has(business.uscc)) {
      out.push(toPublicRecord(business, undefined, emptyRecord(business.uscc), input.today))
      continue
    }
    const [grade, record] = await Promise.all([
      gradeOf(ctx.db, business.uscc),
      loadCreditRecord(ctx.db, business.uscc, input.today),
    ])
    out.push(toPublicRecord(business, grade, record, input.today))
  }
  return out
}

/** The codes of businesses whose record may hold anything (the others' records are empty). */
export function recordHolders({ ctx }: { ctx: ServiceContext }): Promise<Set<string>> {
  return usccsWithCreditRecord(ctx.db)
}

/** Every market entity not on the certified list, in batches, for the static build. */
export async function* marketEntityPages({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { batchSize: number }
}): AsyncGenerator<MarketEntityView[]> {
  yield* allMarketEntities(ctx.db, input.batchSize)
}

/** What the plaque check shows of the record: the grade and the last inspection. */
export interface CreditSummary {
  grade: PublicRecord['grade']
  /** 经营者自我承诺 in force, if any. */
  commitment: PublicRecord['commitment']
  lastInspection: PublicRecord['inspections'][number] | null
}

/**
 * The credit part of the live plaque check (/verify): read from PostgreSQL at this moment, through
 * the same reader as the record, so the check never disagrees with the record's page.
 */
export async function creditSummary({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { business: RecordBusiness }
}): Promise<CreditSummary> {
  const today = beijingDate()
  const [grade, record] = await Promise.all([
    gradeOf(ctx.db, input.business.uscc),
    loadCreditRecord(ctx.db, input.business.uscc, today),
  ])
  const shown = toPublicRecord(input.business, grade, record, today)
  return {
    grade: shown.grade,
    commitment: shown.commitment,
    lastInspection: shown.inspections[0] ?? null,
  }
}

/** A market entity (not certified) by its code, for the plaque check; undefined when unknown. */
export async function findMarketEntity({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { uscc: string }
}): Promise<MarketEntityView | undefined> {
  const [entity] = await marketEntitiesByUscc(ctx.db, [input.uscc])
  return entity
}
