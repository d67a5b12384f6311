import { findOperatorListRow, listOperatorRows } from '../../../../db/queries/operators.ts'
import type { ServiceContext } from '../../../deps.ts'
import { ApiError } from '../../../errors.ts'
import type { SignedInOperator } from '../access.ts'
import type { OperatorView } from './schemas.ts'
import { toOperatorView } from './view.ts'

/** Every console account (there are tens, not thousands: one page), the disabled last. */
export async function listOperators({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { operator: SignedInOperator; now?: Date }
}): Promise<OperatorView[]> {
  const now = input.now ?? new Date()
  const rows = await listOperatorRows(ctx.db)
  return rows.map((row) => toOperatorView(row, input.operator, now))
}

/** Whether `id` can be an account's id (a bigint); anything else is answered as not found. */
export const isOperatorId = (id: string) => /^\d{1,18}$/.test(id)

export const operatorNotFound = () =>
  new ApiError('NOT_FOUND', '没有找到这个账号，请从账号列表重新进入。')

export async function getOperator({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { operator: SignedInOperator; id: string; now?: Date }
}): Promise<OperatorView> {
  const row = isOperatorId(input.id) ? await findOperatorListRow(ctx.db, input.id) : undefined
  if (!row) throw operatorNotFound()
  return toOperatorView(row, input.operator, input.now ?? new Date())
}
