import { isVisitInspector, type VisitRow } from '../../../../db/queries/visits.ts'
import type { ServiceContext } from '../../../deps.ts'
import { ApiError } from '../../../errors.ts'
import { maySeeCounty, type SignedInOperator } from '../access.ts'

/**
 * A visit outside the operator's reach answers exactly like one that does not exist, as cases
 * do, so a handler cannot learn which businesses another county drew.
 */
export const visitNotFoundMessage =
  '没有找到这次检查，或它不在您的工作范围内。请从专项检查的抽取名单进入。'
export const visitNotFound = () => new ApiError('NOT_FOUND', visitNotFoundMessage)

const readOnlyMessage = '只读账号只能查看检查记录，不能填写或修改。'

/** A visit or photo id as the database stores it (bigint); anything else is simply not found. */
export function checkedVisitId(id: string): string {
  if (!/^[1-9]\d{0,17}$/.test(id)) throw visitNotFound()
  return id
}

/**
 * Who may see a visit: anyone whose county it is (city level: every county), and its own
 * inspectors wherever they sit. Who may write it: the same people, except viewers.
 */
export async function visitAccess(
  ctx: ServiceContext,
  operator: SignedInOperator,
  visit: Pick<VisitRow, 'id' | 'countyCode'>,
): Promise<{ read: boolean; write: boolean }> {
  const read =
    maySeeCounty(operator, visit.countyCode) ||
    (await isVisitInspector(ctx.db, visit.id, operator.id))
  return { read, write: read && operator.role !== 'viewer' }
}

/** Throws not-found unless the operator may see it, forbidden unless they may also write it. */
export async function assertMayWrite(
  ctx: ServiceContext,
  operator: SignedInOperator,
  visit: Pick<VisitRow, 'id' | 'countyCode'> | undefined,
): Promise<void> {
  if (!visit) throw visitNotFound()
  const access = await visitAccess(ctx, operator, visit)
  if (!access.read) throw visitNotFound()
  if (!access.write) throw new ApiError('FORBIDDEN', readOnlyMessage)
}
