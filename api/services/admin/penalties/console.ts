import { z } from 'zod'
import { consoleVerb, parseConsoleInput } from '../console-request.ts'
import { penaltyReaders, penaltyWriters } from './access.ts'
import { editPenalty } from './edit.ts'
import { enterPenalty } from './enter.ts'
import { getPenalty, listPenaltiesForConsole } from './read.ts'
import {
  penaltyEditSchema,
  penaltyEntrySchema,
  penaltyListQuerySchema,
  penaltyParams,
} from './schemas.ts'

/** 行政处罚 list from the query as sent (GET /api/admin/penalties and the list page alike). */
export const listPenaltiesInConsole = consoleVerb({
  access: penaltyReaders,
  parse: (raw) => parseConsoleInput(penaltyListQuerySchema, raw, 'query'),
  run: ({ ctx, session, input }) =>
    listPenaltiesForConsole({ ctx, operator: session.operator, input }),
})

export const getPenaltyInConsole = consoleVerb({
  access: penaltyReaders,
  parse: (raw) => parseConsoleInput(penaltyParams, raw, 'param'),
  run: ({ ctx, session, input }) => getPenalty({ ctx, operator: session.operator, input }),
})

/** A new penalty from a JSON body or the entry form's fields. */
export const enterPenaltyInConsole = consoleVerb({
  access: penaltyWriters,
  parse: (raw) => parseConsoleInput(penaltyEntrySchema, raw),
  run: ({ ctx, session, request, input }) =>
    enterPenalty({
      ctx,
      operator: session.operator,
      input: { entry: input, clientAddress: request.clientAddress },
    }),
})

/** An edit: the id as a path names it, then the edit's fields. */
export const editPenaltyInConsole = consoleVerb({
  access: penaltyWriters,
  parse: (raw) => {
    const { id } = parseConsoleInput(penaltyParams, raw, 'param')
    const { fields } = parseConsoleInput(z.object({ fields: z.unknown() }), raw)
    return { id, edit: parseConsoleInput(penaltyEditSchema, fields) }
  },
  run: ({ ctx, session, request, input }) =>
    editPenalty({
      ctx,
      operator: session.operator,
      input: { ...input, clientAddress: request.clientAddress },
    }),
})
