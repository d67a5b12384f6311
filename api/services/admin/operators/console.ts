import { z } from '@hono/zod-openapi'
import { consoleVerb, parseConsoleInput } from '../console-request.ts'
import { actOnOperator } from './actions.ts'
import { operatorAdmins } from './access.ts'
import { createOperatorInConsole } from './create.ts'
import { listOperators } from './list.ts'
import { newOperatorSchema, operatorActionSchema, operatorScopeSchema } from './schemas.ts'
import { changeScopeOfOperator } from './scope.ts'

/** An account's id in a console path. */
export const operatorParams = z.object({ id: z.string().openapi({ description: '账号编号' }) })

/** An account's id and the fields sent for it, each parsed with its schema. */
function accountCall<S extends z.ZodType>(schema: S, raw: unknown) {
  const { id } = parseConsoleInput(operatorParams, raw, 'param')
  const { fields } = parseConsoleInput(z.object({ fields: z.unknown() }), raw)
  return { id, fields: parseConsoleInput(schema, fields) }
}

/** 后台账号列表. */
export const listOperatorsInConsole = consoleVerb({
  access: operatorAdmins,
  parse: () => ({}),
  run: ({ ctx, session }) => listOperators({ ctx, input: { operator: session.operator } }),
})

/** A new account, with its one-time password. */
export const createOperatorVerb = consoleVerb({
  access: operatorAdmins,
  parse: (raw) => parseConsoleInput(newOperatorSchema, raw),
  run: ({ ctx, session, request, input }) =>
    createOperatorInConsole({
      ctx,
      input: { operator: session.operator, fields: input, clientAddress: request.clientAddress },
    }),
})

/** A new role and county. */
export const changeScopeVerb = consoleVerb({
  access: operatorAdmins,
  parse: (raw) => accountCall(operatorScopeSchema, raw),
  run: ({ ctx, session, request, input }) =>
    changeScopeOfOperator({
      ctx,
      input: {
        operator: session.operator,
        id: input.id,
        fields: input.fields,
        clientAddress: request.clientAddress,
      },
    }),
})

/** One account action (reset password, disable, enable, unlock, reset TOTP). */
export const actOnOperatorVerb = consoleVerb({
  access: operatorAdmins,
  parse: (raw) => accountCall(operatorActionSchema, raw),
  run: async ({ ctx, session, request, input }) => ({
    action: input.fields.action,
    ...(await actOnOperator({
      ctx,
      input: {
        operator: session.operator,
        id: input.id,
        action: input.fields.action,
        currentPassword:
          input.fields.action === 'reset_totp' ? input.fields.currentPassword : undefined,
        session,
        clientAddress: request.clientAddress,
      },
    })),
  }),
})
