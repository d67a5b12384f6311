import type { OperatorRole } from '../../../../db/database.ts'
import type { ConsoleAccess } from '../console-request.ts'
import { isCityAdmin, type SignedInOperator } from '../access.ts'

// 举报奖励 in the console (issue 25, item 5). County-scoped like cases: a handler proposes a
// reward and records its payment on a case of their county; only a city administrator approves
// or refuses one, so no county decides on the money it proposed. A viewer reads only.

const writers: readonly OperatorRole[] = ['city_admin', 'county_handler']

/** Who may read rewards: any signed-in operator, within its scope. */
export const rewardReaders: ConsoleAccess = {}

/** Who may take a step at all (the step itself may ask for more: approving is for city admins). */
export const rewardWriters: ConsoleAccess = {
  roles: writers,
  refusal: '只读账号只能查看举报奖励，不能提出、审批或登记发放。',
}

export const decideRefusal =
  '只有市局管理员可以批准或不予批准举报奖励。区县办案人员提出后，请联系市局管理员在“举报奖励”列表中审批。'

export const mayWriteRewards = (op: SignedInOperator) => writers.includes(op.role)

export const mayDecideRewards = (op: SignedInOperator) => isCityAdmin(op)
