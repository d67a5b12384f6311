import type { OperatorRole } from '../../../../db/database.ts'
import { ApiError } from '../../../errors.ts'
import { maySeeCounty, type SignedInOperator } from '../access.ts'
import type { ConsoleAccess } from '../console-request.ts'

/**
 * 行政处罚 in the console, county-scoped like cases: a county handler enters and edits its
 * county's, a city administrator any county's, a viewer reads within its scope.
 */
const writers: readonly OperatorRole[] = ['city_admin', 'county_handler']

/** Who may read: any signed-in operator (within its county). */
export const penaltyReaders: ConsoleAccess = {}

/** Who may enter and edit. */
export const penaltyWriters: ConsoleAccess = {
  roles: writers,
  refusal: '只读账号只能查看行政处罚记录，不能录入或修改。如需办理，请联系市局管理员开通办理权限。',
}

/**
 * A penalty of another county answers like one that does not exist, so a county handler cannot
 * learn what another county decided through the console.
 */
export const penaltyNotFoundMessage =
  '没有找到这条行政处罚记录，或它不在您的办理范围内。请从列表进入。'

export function assertPenaltyVisible(
  op: SignedInOperator,
  found: { countyCode: string } | undefined,
): asserts found is { countyCode: string } {
  if (!found || !maySeeCounty(op, found.countyCode)) {
    throw new ApiError('NOT_FOUND', penaltyNotFoundMessage)
  }
}

/** The county a list is limited to: the operator's own, or the one a city-level operator chose. */
export function listCounty(op: SignedInOperator, asked: string | undefined): string | null {
  if (asked === undefined) return op.countyCode
  if (op.countyCode !== null && asked !== op.countyCode) {
    throw new ApiError('FORBIDDEN', '您只能查看本区县的行政处罚记录，请不要选择其他区县。')
  }
  return asked
}
