import { z } from 'zod'
import { consoleVerb, parseConsoleInput } from '../console-request.ts'
import { notificationAdmins, notificationReaders } from './access.ts'
import {
  createNotificationEndpoint,
  listNotificationEndpoints,
  notificationStatus,
  setNotificationEndpointEnabled,
} from './endpoints.ts'
import { endpointEnabledSchema, endpointParams, newEndpointSchema } from './schemas.ts'

/** 通知设置: each transport's state and the recipients, in the operator's scope. */
export const notificationsInConsole = consoleVerb({
  access: notificationReaders,
  parse: () => ({}),
  run: async ({ ctx, session }) => {
    const operator = session.operator
    const [transports, endpoints] = await Promise.all([
      notificationStatus({ ctx, operator }),
      listNotificationEndpoints({ ctx, operator }),
    ])
    return { transports, endpoints }
  },
})

/** The console home's sentences about notices waiting or given up, in the operator's scope. */
export const notificationAlertsInConsole = consoleVerb({
  access: notificationReaders,
  parse: () => ({}),
  run: async ({ ctx, session }) =>
    (await notificationStatus({ ctx, operator: session.operator }))
      // Only what is waiting or failed: an unset transport with nothing queued is the
      // notifications page's to mention.
      .filter((t) => t.alert !== null && (t.queued > 0 || t.dead > 0)),
})

/** A new recipient. */
export const createEndpointInConsole = consoleVerb({
  access: notificationAdmins,
  parse: (raw) => parseConsoleInput(newEndpointSchema, raw),
  run: ({ ctx, session, request, input }) =>
    createNotificationEndpoint({
      ctx,
      operator: session.operator,
      input: { fields: input, clientAddress: request.clientAddress },
    }),
})

/** A recipient turned on or off. */
export const setEndpointEnabledInConsole = consoleVerb({
  access: notificationAdmins,
  parse: (raw) => {
    const { id } = parseConsoleInput(endpointParams, raw, 'param')
    const { fields } = parseConsoleInput(z.object({ fields: z.unknown() }), raw)
    return { id, ...parseConsoleInput(endpointEnabledSchema, fields) }
  },
  run: ({ ctx, session, request, input }) =>
    setNotificationEndpointEnabled({
      ctx,
      operator: session.operator,
      input: { id: input.id, enabled: input.enabled, clientAddress: request.clientAddress },
    }),
})
