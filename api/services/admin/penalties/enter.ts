import {
  findBusiness,
  enqueueCreditRecompute,
  ensureMarketEntity,
} from '../../../../db/queries/credit-record.ts'
import { listCounties, listSectors } from '../../../../db/queries/enterprises.ts'
import { findPenalty, insertPenalty } from '../../../../db/queries/penalties.ts'
import type { ServiceContext } from '../../../deps.ts'
import { ApiError } from '../../../errors.ts'
import { beijingDate } from '../../../domain/beijing-time.ts'
import { parsePenaltyPublication, publicationEnd } from '../../../domain/penalty-publication.ts'
import { usccProblem } from '../../../domain/uscc.ts'
import type { SignedInOperator } from '../access.ts'
import { recordAudit } from '../audit.ts'
import {
  checkDecidedOn,
  checkDecisionNoFree,
  fieldRefusal,
  isDecisionNoTaken,
  linkedCaseId,
} from './checks.ts'
import type { PenaltyEntry, PenaltyView } from './schemas.ts'
import { toPenaltyView } from './view.ts'

/** The county a penalty is entered for: a county handler's own; a city administrator's choice. */
async function countyOf(
  ctx: ServiceContext,
  operator: SignedInOperator,
  asked: string | undefined,
  businessCounty: string | undefined,
) {
  if (operator.countyCode !== null && asked !== undefined && asked !== operator.countyCode) {
    throw new ApiError('FORBIDDEN', '您只能录入本区县作出的行政处罚，请不要选择其他区县。')
  }
  const county = operator.countyCode ?? asked ?? businessCounty
  if (county === undefined) throw fieldRefusal('county', '请选择作出处罚的区县。')
  if (!(await listCounties(ctx.db)).some((c) => c.code === county)) {
    throw fieldRefusal('county', '请从列表中选择丽水市的区县。')
  }
  return county
}

/**
 * Enters a 行政处罚 (POST /api/admin/penalties): published on the business's credit record at
 * once, until its kind's period (CREDIT_PENALTY_PUBLICATION) from the decision date has run out.
 * A business on no list yet becomes a market entity with the name and sector given. In one
 * transaction: the penalty, the market entity, the grade's recompute and the audit entry.
 */
export async function enterPenalty({
  ctx,
  operator,
  input,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  input: { entry: PenaltyEntry; clientAddress: string }
}): Promise<PenaltyView> {
  const { entry } = input
  const problem = usccProblem(entry.uscc)
  if (problem) throw fieldRefusal('uscc', `统一社会信用代码有误：${problem.message}。`)
  const today = beijingDate()
  checkDecidedOn(entry.decidedOn, today)
  const business = await findBusiness(ctx.db, entry.uscc)
  const county = await countyOf(ctx, operator, entry.county, business?.countyCode)
  if (!business) {
    const missing = [
      ...(entry.name ? [] : [{ field: 'name', message: '这个代码不在名录中，请填写单位名称。' }]),
      ...(entry.sector ? [] : [{ field: 'sector', message: '这个代码不在名录中，请选择行业。' }]),
    ]
    if (missing.length > 0) {
      throw new ApiError('VALIDATION_FAILED', missing.map((m) => m.message).join(''), missing)
    }
    if (!(await listSectors(ctx.db)).some((s) => s.code === entry.sector)) {
      throw fieldRefusal('sector', '请从列表中选择行业。')
    }
  }
  await checkDecisionNoFree(ctx.db, entry.decisionNo)
  const complaintId = await linkedCaseId(ctx.db, operator, entry.caseTrackingNo)
  const publishUntil = publicationEnd(
    parsePenaltyPublication(ctx.config.CREDIT_PENALTY_PUBLICATION),
    entry.kind,
    entry.decidedOn,
  )
  const at = new Date()
  let id: string
  try {
    id = await ctx.db.transaction().execute(async (trx) => {
      if (!business) {
        await ensureMarketEntity(trx, {
          uscc: entry.uscc,
          name: entry.name!,
          countyCode: county,
          sectorCode: entry.sector!,
          ...(entry.address ? { address: entry.address } : {}),
        })
      }
      const penaltyId = await insertPenalty(trx, {
        uscc: entry.uscc,
        countyCode: county,
        decisionNo: entry.decisionNo,
        decidedOn: entry.decidedOn,
        kind: entry.kind,
        violation: entry.violation,
        penalty: entry.penalty,
        legalBasis: entry.legalBasis,
        complaintId,
        publishedAt: at,
        publishUntil,
        // A decision whose period ended before it was entered is never public.
        takenDownAt: publishUntil < today ? at : null,
        createdBy: operator.id,
      })
      await enqueueCreditRecompute(trx, [entry.uscc], `penalty:${penaltyId}`)
      await recordAudit(trx, {
        operator,
        action: 'penalty.created',
        enterpriseUscc: entry.uscc,
        clientAddress: input.clientAddress,
        detail: {
          penaltyId,
          decisionNo: entry.decisionNo,
          decidedOn: entry.decidedOn,
          kind: entry.kind,
          publishUntil,
          ...(complaintId ? { complaintId } : {}),
          ...(business ? {} : { marketEntity: true }),
        },
      })
      return penaltyId
    })
  } catch (error) {
    if (isDecisionNoTaken(error)) await checkDecisionNoFree(ctx.db, entry.decisionNo)
    throw error
  }
  const row = await findPenalty(ctx.db, id)
  if (!row) throw new Error(`penalty ${id} vanished after its entry`)
  return toPenaltyView(row, ctx.calendar)
}
