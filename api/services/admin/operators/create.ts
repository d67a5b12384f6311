import { createOperator, OperatorInputError } from '../auth/create-operator.ts'
import type { ServiceContext } from '../../../deps.ts'
import { ApiError } from '../../../errors.ts'
import { issueDetails } from '../../../validation.ts'
import type { SignedInOperator } from '../access.ts'
import { requireOperatorAdmin } from './access.ts'
import { getOperator } from './list.ts'
import { newOperatorSchema, type OperatorView } from './schemas.ts'

/**
 * A city_admin creates an account in the console, as `npm run admin:create` does: the same verb,
 * a one-time password returned this once (only its hash is kept) and changed at first sign-in.
 */
export async function createOperatorInConsole({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { operator: SignedInOperator; fields: unknown; clientAddress: string }
}): Promise<{ operator: OperatorView; oneTimePassword: string }> {
  requireOperatorAdmin(input.operator)
  const parsed = newOperatorSchema.safeParse(input.fields)
  if (!parsed.success) {
    const details = issueDetails(parsed.error)
    throw new ApiError('VALIDATION_FAILED', '新账号的信息有误，请按提示修改后重试。', details)
  }
  try {
    const created = await createOperator({
      ctx,
      input: {
        username: parsed.data.username,
        role: parsed.data.role,
        county: parsed.data.county,
        actor: `console:${input.operator.username}`,
        by: input.operator,
        clientAddress: input.clientAddress,
      },
    })
    return {
      operator: await getOperator({ ctx, input: { operator: input.operator, id: created.id } }),
      oneTimePassword: created.password,
    }
  } catch (error) {
    // The form already checked everything else; what is left is a name someone already has.
    if (!(error instanceof OperatorInputError)) throw error
    throw new ApiError(
      'CONFLICT',
      error.message,
      error.problems.map((message) => ({ field: 'username', message })),
    )
  }
}
