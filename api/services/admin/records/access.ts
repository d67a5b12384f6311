import { findBusiness, type BusinessIdentity } from '../../../../db/queries/credit-record.ts'
import type { ServiceContext } from '../../../deps.ts'
import { ApiError } from '../../../errors.ts'
import { maySeeCounty, type SignedInOperator } from '../access.ts'
import type { ConsoleAccess } from '../console-request.ts'

/**
 * A business outside the operator's county answers exactly like an unknown code, as cases do, so
 * a county handler cannot learn what another county's records hold.
 */
export const recordNotFoundMessage =
  '没有找到这个单位，或它不在您的办理范围内。请用统一社会信用代码或名称查找。'

/** The business of a record the operator may see (its county's, or any for city level). */
export async function businessInScope(
  ctx: ServiceContext,
  operator: SignedInOperator,
  uscc: string,
): Promise<BusinessIdentity> {
  const found = await findBusiness(ctx.db, uscc)
  if (!found || !maySeeCounty(operator, found.countyCode)) {
    throw new ApiError('NOT_FOUND', recordNotFoundMessage)
  }
  return found
}

/** Viewers read records; handlers and city administrators record commitments and objections. */
export const mayChangeRecords = (operator: SignedInOperator) => operator.role !== 'viewer'

/** The access rule of every verb that changes a record, decided once for the pages and the API. */
export const recordWriters: ConsoleAccess = {
  roles: ['city_admin', 'county_handler'],
  refusal: '只读账号不能变更信用记录，请联系本区县的承办人。',
}
