import type { Kysely } from 'kysely'
import type { Database } from '../../../../db/database.ts'
import { caseByTrackingNo, penaltyIdByDecisionNo } from '../../../../db/queries/penalties.ts'
import { ApiError } from '../../../errors.ts'
import { maySeeCounty, type SignedInOperator } from '../access.ts'

/** A refusal of one field, worded for the person who filled it in. */
export const fieldRefusal = (field: string, message: string) =>
  new ApiError('VALIDATION_FAILED', message, [{ field, message }])

/** A decision is not dated in the future. */
export function checkDecidedOn(decidedOn: string, today: string) {
  if (decidedOn > today) throw fieldRefusal('decidedOn', '处罚决定日期不能晚于今天。')
}

/** 决定书文号 are unique: one already entered (other than `self`) is refused. */
export async function checkDecisionNoFree(db: Kysely<Database>, decisionNo: string, self?: string) {
  const taken = await penaltyIdByDecisionNo(db, decisionNo)
  if (taken !== undefined && taken !== self) {
    throw fieldRefusal(
      'decisionNo',
      `决定书文号“${decisionNo}”已经录入过，请核对文号，或打开已有的记录修改。`,
    )
  }
}

/**
 * The case a penalty came from (立案查处), by its 受理编号: one the operator may see, else the
 * same answer as an unknown number.
 */
export async function linkedCaseId(
  db: Kysely<Database>,
  operator: SignedInOperator,
  trackingNo: string | undefined,
): Promise<string | null> {
  if (trackingNo === undefined) return null
  const found = await caseByTrackingNo(db, trackingNo.toUpperCase())
  if (!found || !maySeeCounty(operator, found.countyCode)) {
    throw fieldRefusal(
      'caseTrackingNo',
      `没有找到受理编号为 ${trackingNo} 的案件，或它不在您的办理范围内。没有关联案件的请留空。`,
    )
  }
  return found.id
}

/** A unique violation of the decision number, raised by a colleague's entry at the same moment. */
export function isDecisionNoTaken(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  const { code, constraint } = error as { code?: unknown; constraint?: unknown }
  return code === '23505' && typeof constraint === 'string' && constraint.includes('decision_no')
}
