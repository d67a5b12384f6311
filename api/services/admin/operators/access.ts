import { ApiError } from '../../../errors.ts'
import { isCityAdmin, type SignedInOperator } from '../access.ts'

/** Accounts are the city bureau's to manage (issue 4): county handlers and viewers may not. */
export function requireOperatorAdmin(operator: SignedInOperator) {
  if (!isCityAdmin(operator)) {
    throw new ApiError('FORBIDDEN', '只有市局管理员可以查看和管理后台账号。')
  }
}
