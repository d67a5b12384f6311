import { ApiError } from '../../../errors.ts'
import { isCityAdmin, type SignedInOperator } from '../access.ts'

/** Failed deliveries and refused events are the city bureau's to inspect and retry. */
export function requireHotlineAdmin(operator: SignedInOperator) {
  if (!isCityAdmin(operator)) {
    throw new ApiError('FORBIDDEN', '只有市局管理员可以查看和重试 12345 热线的失败记录。')
  }
}
