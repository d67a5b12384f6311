import type { z } from 'zod'
import { changeOperatorScope, findOperatorForUpdate } from '../../../../db/queries/operators.ts'
import type { ServiceContext } from '../../../deps.ts'
import { ApiError } from '../../../errors.ts'
import type { SignedInOperator } from '../access.ts'
import { recordAudit } from '../audit.ts'
import { endSessionsOf } from '../sessions.ts'
import { getOperator, isOperatorId, operatorNotFound } from './list.ts'
import type { operatorScopeSchema, OperatorView } from './schemas.ts'

/**
 * A city_admin gives another account a new role or county (调整角色和区县): a handler moves to
 * another county bureau, a viewer becomes a handler, a handler becomes an administrator. Every
 * session of the account ends, so its next sign-in sees only its new scope (and a new
 * administrator enrols a second factor first); the audit log keeps the old and the new scope.
 * Not on your own account: another administrator must do it, so one always remains.
 */
export async function changeScopeOfOperator({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: {
    operator: SignedInOperator
    id: string
    fields: z.output<typeof operatorScopeSchema>
    clientAddress: string
  }
}): Promise<{ operator: OperatorView }> {
  const { operator: by, id } = input
  if (!isOperatorId(id)) throw operatorNotFound()
  if (id === by.id) {
    throw new ApiError('FORBIDDEN', '不能调整自己的角色或区县，请由另一位市局管理员进行。')
  }
  const to = { role: input.fields.role, countyCode: input.fields.county ?? null }
  await ctx.db.transaction().execute(async (trx) => {
    const target = await findOperatorForUpdate(trx, id)
    if (!target) throw operatorNotFound()
    if (target.role === to.role && target.countyCode === to.countyCode) {
      throw new ApiError('CONFLICT', '角色和区县都与现在相同，没有需要调整的内容。')
    }
    await changeOperatorScope(trx, id, to)
    await endSessionsOf(trx, id, ctx.sessionCache)
    await recordAudit(trx, {
      operator: by,
      action: 'operator.change_scope',
      clientAddress: input.clientAddress,
      detail: {
        operatorId: id,
        username: target.username,
        from: { role: target.role, countyCode: target.countyCode },
        to,
      },
    })
  })
  return { operator: await getOperator({ ctx, input: { operator: by, id } }) }
}
