import { z } from '@hono/zod-openapi'
import { listDead, retryDeadCallback } from './dead-callbacks.ts'
import { listRejected, retryRejected } from './rejected-events.ts'
import { consoleVerb, parseConsoleInput } from '../console-request.ts'

/** A dead callback's id in a console path. */
export const callbackParams = z.object({
  id: z
    .string()
    .regex(/^[1-9]\d{0,17}$/, '回调编号应为数字')
    .openapi({ param: { name: 'id', in: 'path' }, example: '7' }),
})

/** A rejected event's webhook id in a console path. */
export const rejectedEventParams = z.object({
  webhookId: z
    .string()
    .min(1)
    .max(256)
    .openapi({
      param: { name: 'webhookId', in: 'path' },
      example: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
    }),
})

const noInput = () => ({})

/** The dead 12345 callbacks, their view audited; the service decides who may (city admins). */
export const listDeadCallbacksInConsole = consoleVerb({
  parse: noInput,
  run: ({ ctx, session, request }) =>
    listDead({ ctx, operator: session.operator, input: { clientAddress: request.clientAddress } }),
})

/** The rejected inbound 12345 events, their view audited; the service decides who may. */
export const listRejectedInConsole = consoleVerb({
  parse: noInput,
  run: ({ ctx, session, request }) =>
    listRejected({
      ctx,
      operator: session.operator,
      input: { clientAddress: request.clientAddress },
    }),
})

/** A dead 12345 callback queued again; the service decides who may (city admins). */
export const retryDeadCallbackInConsole = consoleVerb({
  parse: (raw) => parseConsoleInput(callbackParams, raw, 'param'),
  run: ({ ctx, session, request, input }) =>
    retryDeadCallback({
      ctx,
      operator: session.operator,
      input: { id: input.id, clientAddress: request.clientAddress },
    }),
})

/** A rejected inbound 12345 event checked again; the service decides who may. */
export const retryRejectedInConsole = consoleVerb({
  parse: (raw) => parseConsoleInput(rejectedEventParams, raw, 'param'),
  run: ({ ctx, session, request, input }) =>
    retryRejected({
      ctx,
      operator: session.operator,
      input: { webhookId: input.webhookId, clientAddress: request.clientAddress },
    }),
})
