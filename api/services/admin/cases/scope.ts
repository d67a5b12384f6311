import { ApiError } from '../../../errors.ts'
import { caseCountyScope, maySeeCounty, type SignedInOperator } from '../access.ts'

/**
 * A case outside the operator's county answers exactly like a case that does not exist, so a
 * county handler cannot learn that a number is in use elsewhere.
 */
export const caseNotFoundMessage = '没有找到这个案件，或它不在您的办理范围内。请从案件列表进入。'
const caseNotFound = () => new ApiError('NOT_FOUND', caseNotFoundMessage)

/** Throws the not-found answer unless the operator may see cases of `countyCode`. */
export function assertCaseVisible(
  op: SignedInOperator,
  found: { countyCode: string } | undefined,
): asserts found is { countyCode: string } {
  if (!found || !maySeeCounty(op, found.countyCode)) throw caseNotFound()
}

/**
 * The county a queue query is limited to: the operator's own, whatever was asked, or the one a
 * city-level operator chose. Asking for another county is refused (403), not silently narrowed,
 * so a client never mistakes an empty list for "no cases there".
 */
export function queueCounty(op: SignedInOperator, asked: string | undefined): string | null {
  const scope = caseCountyScope(op)
  if (asked === undefined) return scope
  if (scope !== null && asked !== scope) {
    throw new ApiError('FORBIDDEN', '您只能查看本区县的案件，请不要选择其他区县。')
  }
  return asked
}

/** A case or photo id as the database stores it (bigint); anything else is simply not found. */
export function checkedId(id: string): string {
  if (!/^[1-9]\d{0,17}$/.test(id)) throw caseNotFound()
  return id
}
