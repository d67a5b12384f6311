import { consoleVerb, parseConsoleInput } from '../console-request.ts'
import { open311Admins } from './access.ts'
import { createOpen311Client, listOpen311ClientViews, revokeOpen311Key } from './clients.ts'
import { newOpen311ClientSchema, open311ClientParams } from './schemas.ts'

/** Open311 接入应用: every registered app and its key's state. */
export const open311ClientsInConsole = consoleVerb({
  access: open311Admins,
  parse: () => ({}),
  run: ({ ctx }) => listOpen311ClientViews(ctx),
})

/** A new app and its key, shown once. */
export const createOpen311ClientInConsole = consoleVerb({
  access: open311Admins,
  parse: (raw) => parseConsoleInput(newOpen311ClientSchema, raw),
  run: ({ ctx, session, request, input }) =>
    createOpen311Client({
      ctx,
      operator: session.operator,
      input: { fields: input, clientAddress: request.clientAddress },
    }),
})

/** An app's key revoked. */
export const revokeOpen311KeyInConsole = consoleVerb({
  access: open311Admins,
  parse: (raw) => parseConsoleInput(open311ClientParams, raw, 'param'),
  run: ({ ctx, session, request, input }) =>
    revokeOpen311Key({
      ctx,
      operator: session.operator,
      input: { id: input.id, clientAddress: request.clientAddress },
    }),
})
