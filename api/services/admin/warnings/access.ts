import type { OperatorRole } from '../../../../db/database.ts'
import { ApiError } from '../../../errors.ts'
import { maySeeCounty, seesEveryCounty, type SignedInOperator } from '../access.ts'
import type { ConsoleAccess } from '../console-request.ts'

// 预警 in the console (issue 24). County-scoped like cases: a county handler sees its county's
// warnings and the city-wide ones (an instrument kind, county null), a city-level operator every
// one. Acting on a warning is for a county handler of its county or a city administrator; a
// city-wide warning has no county whose handler owns it, so only a city administrator acts on
// it (a county handler reads it). A viewer reads only.

const writers: readonly OperatorRole[] = ['city_admin', 'county_handler']

/** Who may read warnings: any signed-in operator, within its scope. */
export const warningReaders: ConsoleAccess = {}

/** Who may acknowledge, handle or dismiss a warning. */
export const warningWriters: ConsoleAccess = {
  roles: writers,
  refusal: '只读账号只能查看预警，不能确认、处置或排除。如需办理，请联系市局管理员开通办理权限。',
}

/** Who may set the fixed thresholds (warning_thresholds): city administrators. */
export const thresholdAdmins: ConsoleAccess = {
  roles: ['city_admin'],
  refusal: '只有市局管理员可以设置预警阈值。',
}

export const warningNotFoundMessage = '没有找到这条预警，或它不在您的办理范围内。请从预警列表进入。'

/** Whether a warning of `countyCode` (null: city-wide) is in the operator's scope. */
export const maySeeWarning = (op: SignedInOperator, countyCode: string | null) =>
  countyCode === null || maySeeCounty(op, countyCode)

/**
 * A warning outside the operator's scope answers like one that does not exist, so a county
 * handler cannot learn through the console what another county is warned about.
 */
export function assertWarningVisible<T extends { countyCode: string | null }>(
  op: SignedInOperator,
  found: T | undefined,
): asserts found is T {
  if (!found || !maySeeWarning(op, found.countyCode)) {
    throw new ApiError('NOT_FOUND', warningNotFoundMessage)
  }
}

/** Whether the operator may act on a warning it can see (the page shows the forms only then). */
export const mayActOnWarning = (op: SignedInOperator, countyCode: string | null) =>
  writers.includes(op.role) &&
  (countyCode === null ? seesEveryCounty(op) : maySeeCounty(op, countyCode))

export const cityWideRefusal =
  '全市范围的预警（不属于某一区县）由市局统一确认和处置，区县账号只能查看。'

/** The county a list is limited to: none for a city-level operator unless chosen. */
export function listCounty(op: SignedInOperator, asked: string | undefined): string | undefined {
  if (asked !== undefined && !seesEveryCounty(op) && asked !== op.countyCode) {
    throw new ApiError('FORBIDDEN', '您只能查看本区县和全市范围的预警，请不要选择其他区县。')
  }
  return asked
}
