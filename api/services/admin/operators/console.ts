import { z } from 'zod'
import { consoleVerb, parseConsoleInput } from '../console-request.ts'
import { actOnOperator } from './actions.ts'
import { requireOperatorAdmin } from './access.ts'
import { createOperatorInConsole } from './create.ts'
import { operatorActions } from './schemas.ts'
import { changeScopeOfOperator } from './scope.ts'

/** A new account; its fields are parsed by createOperatorInConsole. */
export const createOperatorVerb = consoleVerb({
  access: { authorize: requireOperatorAdmin },
  parse: (raw) => raw,
  run: ({ ctx, session, request, input }) =>
    createOperatorInConsole({
      ctx,
      input: { operator: session.operator, fields: input, clientAddress: request.clientAddress },
    }),
})

/** A new role and county; its fields are parsed by changeScopeOfOperator. */
export const changeScopeVerb = consoleVerb({
  access: { authorize: requireOperatorAdmin },
  parse: (raw) => parseConsoleInput(z.object({ id: z.string(), fields: z.unknown() }), raw),
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

const operatorActionInput = z.object({
  id: z.string(),
  action: z.enum(operatorActions, '请从下面的按钮中选择一项操作。'),
  /** Asked only to reset a second factor; never kept or shown again. */
  currentPassword: z.string().max(1024).optional(),
})

/** One account action (reset password, disable, enable, unlock, reset TOTP). */
export const actOnOperatorVerb = consoleVerb({
  access: { authorize: requireOperatorAdmin },
  parse: (raw) => parseConsoleInput(operatorActionInput, raw),
  run: async ({ ctx, session, request, input }) => ({
    action: input.action,
    ...(await actOnOperator({
      ctx,
      input: {
        operator: session.operator,
        id: input.id,
        action: input.action,
        currentPassword: input.action === 'reset_totp' ? input.currentPassword : undefined,
        session,
        clientAddress: request.clientAddress,
      },
    })),
  }),
})
