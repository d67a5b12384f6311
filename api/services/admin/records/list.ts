import {
  findRecordBusinesses,
  uncommittedBusinesses,
} from '../../../../db/queries/credit-console.ts'
import type { ServiceContext } from '../../../deps.ts'
import { caseCountyScope, type SignedInOperator } from '../access.ts'
import type { RecordsPage, RecordsQuery } from './schemas.ts'

const pageSize = 20

/**
 * The way into the console's credit records: businesses found by code or name, and the
 * certified ones with no commitment in force (尚未签署承诺的诚信计量单位), both in the operator's
 * county (city level: every county). Read from PostgreSQL, so a change shows at once.
 */
export async function listRecords({
  ctx,
  operator,
  input,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  input: RecordsQuery
}): Promise<RecordsPage> {
  const county = caseCountyScope(operator)
  const [matches, uncommitted] = await Promise.all([
    input.q ? findRecordBusinesses(ctx.db, { text: input.q, county }, pageSize) : [],
    uncommittedBusinesses(
      ctx.db,
      { county },
      { offset: (input.page - 1) * pageSize, limit: pageSize },
    ),
  ])
  return { matches, uncommitted: { ...uncommitted, page: input.page, pageSize } }
}
