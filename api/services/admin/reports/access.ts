import { ApiError } from '../../../errors.ts'
import { seesEveryCounty, type SignedInOperator } from '../access.ts'
import type { ConsoleAccess } from '../console-request.ts'

/** Who may download a monthly report (issue 24, item 4): those who work cases, not viewers. */
export const reportReaders: ConsoleAccess = {
  roles: ['city_admin', 'county_handler'],
  refusal: '只有市局管理员和区县承办人可以下载月度报表。',
}

/**
 * The county a report covers: a county handler's own, whatever was asked (asking for another is
 * refused, not quietly narrowed); a city-level operator's choice, or every county (null).
 */
export function reportCounty(operator: SignedInOperator, requested: string | undefined) {
  if (seesEveryCounty(operator)) return requested ?? null
  if (requested && requested !== operator.countyCode) {
    throw new ApiError('FORBIDDEN', '您只能下载本区县的月度报表。')
  }
  return operator.countyCode
}
