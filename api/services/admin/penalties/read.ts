import { findPenalty, listPenalties } from '../../../../db/queries/penalties.ts'
import type { ServiceContext } from '../../../deps.ts'
import type { SignedInOperator } from '../access.ts'
import { assertPenaltyVisible, listCounty } from './access.ts'
import type { PenaltyList, PenaltyListQuery, PenaltyView } from './schemas.ts'
import { toPenaltyView } from './view.ts'

/**
 * The console's penalties, in the operator's county (taken-down ones too, marked), the latest
 * decisions first.
 */
export async function listPenaltiesForConsole({
  ctx,
  operator,
  input,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  input: PenaltyListQuery
}): Promise<PenaltyList> {
  const county = listCounty(operator, input.county)
  const { items, total } = await listPenalties(
    ctx.db,
    { county, text: input.q, state: input.state },
    { offset: (input.page - 1) * input.pageSize, limit: input.pageSize },
  )
  return {
    items: items.map((row) => toPenaltyView(row, ctx.calendar)),
    total,
    page: input.page,
    pageSize: input.pageSize,
  }
}

/** One penalty the operator may see (else 404, as an unknown one). */
export async function getPenalty({
  ctx,
  operator,
  input,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  input: { id: string }
}): Promise<PenaltyView> {
  const row = await findPenalty(ctx.db, input.id)
  assertPenaltyVisible(operator, row)
  return toPenaltyView(row, ctx.calendar)
}
