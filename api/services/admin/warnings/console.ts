import { z } from 'zod'
import { consoleVerb, parseConsoleInput } from '../console-request.ts'
import { thresholdAdmins, warningReaders, warningWriters } from './access.ts'
import { actOnWarning } from './act.ts'
import { getWarning, listWarningsForConsole } from './read.ts'
import {
  thresholdInputSchema,
  thresholdParams,
  warningActionSchema,
  warningListQuerySchema,
  warningParams,
} from './schemas.ts'
import { listThresholdsForConsole, removeThreshold, setThreshold } from './thresholds.ts'

// The warnings console's verbs (issue 24): the /admin/warnings pages and /api/admin/warnings
// call the same ones, so each check exists once.

/** The list from the query as sent. */
export const listWarningsInConsole = consoleVerb({
  access: warningReaders,
  parse: (raw) => parseConsoleInput(warningListQuerySchema, raw, 'query'),
  run: ({ ctx, session, input }) =>
    listWarningsForConsole({ ctx, operator: session.operator, input }),
})

export const getWarningInConsole = consoleVerb({
  access: warningReaders,
  parse: (raw) => parseConsoleInput(warningParams, raw, 'param'),
  run: ({ ctx, session, input }) => getWarning({ ctx, operator: session.operator, input }),
})

/** 确认, 处置 or 排除: the id as a path names it, then the action's fields. */
export const actOnWarningInConsole = consoleVerb({
  access: warningWriters,
  parse: (raw) => {
    const { id } = parseConsoleInput(warningParams, raw, 'param')
    const { fields } = parseConsoleInput(z.object({ fields: z.unknown() }), raw)
    return { id, act: parseConsoleInput(warningActionSchema, fields) }
  },
  run: ({ ctx, session, request, input }) =>
    actOnWarning({
      ctx,
      operator: session.operator,
      input: { ...input, clientAddress: request.clientAddress },
    }),
})

export const listThresholdsInConsole = consoleVerb({
  access: thresholdAdmins,
  parse: () => ({}),
  run: ({ ctx }) => listThresholdsForConsole({ ctx }),
})

export const setThresholdInConsole = consoleVerb({
  access: thresholdAdmins,
  parse: (raw) => parseConsoleInput(thresholdInputSchema, raw),
  run: ({ ctx, session, request, input }) =>
    setThreshold({
      ctx,
      operator: session.operator,
      input: { threshold: input, clientAddress: request.clientAddress },
    }),
})

export const removeThresholdInConsole = consoleVerb({
  access: thresholdAdmins,
  parse: (raw) => parseConsoleInput(thresholdParams, raw, 'param'),
  run: ({ ctx, session, request, input }) =>
    removeThreshold({
      ctx,
      operator: session.operator,
      input: { id: input.id, clientAddress: request.clientAddress },
    }),
})
