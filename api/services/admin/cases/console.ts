import { z } from 'zod'
import { consoleVerb, parseConsoleInput } from '../console-request.ts'
import { actOnCase } from './act.ts'
import { getCase } from './get.ts'
import { listCases } from './list.ts'
import { revealContact } from './reveal.ts'
import { caseQueueQuerySchema } from './schemas.ts'

/** A case's id and, for an action, its fields: checked by the case verbs themselves. */
const caseInput = z.object({ id: z.string(), fields: z.unknown().optional() })
const caseCall = (raw: unknown) => parseConsoleInput(caseInput, raw, 'param')

/** 案件队列 from the query as sent (GET /api/admin/cases and the queue page alike). */
export const listCasesInConsole = consoleVerb({
  parse: (raw) => parseConsoleInput(caseQueueQuerySchema, raw, 'query'),
  run: ({ ctx, session, input }) => listCases({ ctx, operator: session.operator, input }),
})

/** One case, its view audited. */
export const getCaseInConsole = consoleVerb({
  parse: caseCall,
  run: ({ ctx, session, request, input }) =>
    getCase({
      ctx,
      operator: session.operator,
      input: { id: input.id, clientAddress: request.clientAddress },
    }),
})

/** The contact details of a case, shown once and audited. */
export const revealContactInConsole = consoleVerb({
  parse: caseCall,
  run: ({ ctx, session, request, input }) =>
    revealContact({
      ctx,
      operator: session.operator,
      input: { id: input.id, clientAddress: request.clientAddress },
    }),
})

/** One state-machine action; its fields are parsed by actOnCase. */
export const actOnCaseInConsole = consoleVerb({
  parse: caseCall,
  run: ({ ctx, session, request, input }) =>
    actOnCase({
      ctx,
      operator: session.operator,
      input: { id: input.id, fields: input.fields, clientAddress: request.clientAddress },
    }),
})
