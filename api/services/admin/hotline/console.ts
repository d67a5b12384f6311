import { z } from 'zod'
import { retryDeadCallback } from './dead-callbacks.ts'
import { retryRejected } from './rejected-events.ts'
import { consoleVerb, parseConsoleInput } from '../console-request.ts'

/** A dead 12345 callback queued again; the service decides who may (city admins). */
export const retryDeadCallbackInConsole = consoleVerb({
  parse: (raw) => parseConsoleInput(z.object({ id: z.string() }), raw, 'param'),
  run: ({ ctx, session, request, input }) =>
    retryDeadCallback({
      ctx,
      operator: session.operator,
      input: { id: input.id, clientAddress: request.clientAddress },
    }),
})

/** A rejected inbound 12345 event checked again; the service decides who may. */
export const retryRejectedInConsole = consoleVerb({
  parse: (raw) => parseConsoleInput(z.object({ webhookId: z.string() }), raw, 'param'),
  run: ({ ctx, session, request, input }) =>
    retryRejected({
      ctx,
      operator: session.operator,
      input: { webhookId: input.webhookId, clientAddress: request.clientAddress },
    }),
})
