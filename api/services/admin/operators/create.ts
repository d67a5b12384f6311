import type { z } from 'zod'
import { createOperator, OperatorInputError } from '../auth/create-operator.ts'
import type { ServiceContext } from '../../../deps.ts'
import { ApiError } from '../../../errors.ts'
import type { SignedInOperator } from '../access.ts'
import { getOperator } from './list.ts'
import type { newOperatorSchema, OperatorView } from './schemas.ts'

/**
 * A city_admin creates an account in the console, as `npm run admin:create` does: the same verb,
 * a one-time password returned this once (only its hash is kept) and changed at first sign-in.
 */
export async function createOperatorInConsole({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: {
    operator: SignedInOperator
    fields: z.output<typeof newOperatorSchema>
    clientAddress: string
  }
}): Promise<{ operator: OperatorView; oneTimePassword: string }> {
  try {
    const created = await createOperator({
      ctx,
      input: {
        username: input.fields.username,
        role: input.fields.role,
        county: input.fields.county,
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
