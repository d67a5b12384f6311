import { z } from 'zod'
import { consoleVerb, parseConsoleInput } from '../console-request.ts'
import { actOnCase, parseCaseActionFields } from './act.ts'
import { getCase } from './get.ts'
import { listCases } from './list.ts'
import { caseParams } from './params.ts'
import { casePhoto } from './photo.ts'
import { revealContact } from './reveal.ts'
import { mergeCase } from './merge.ts'
import { caseMergeInputSchema, caseQueueQuerySchema } from './schemas.ts'

/** A case's id as a path names it: a malformed one is refused with the API's path message. */
const caseCall = (raw: unknown) => parseConsoleInput(caseParams, raw, 'param')

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

/** One state-machine action: the id as a path names it, then the action's fields. */
export const actOnCaseInConsole = consoleVerb({
  parse: (raw) => {
    const { id } = caseCall(raw)
    const { fields } = parseConsoleInput(z.object({ fields: z.unknown() }), raw)
    return { id, action: parseCaseActionFields(fields) }
  },
  run: ({ ctx, session, request, input }) =>
    actOnCase({
      ctx,
      operator: session.operator,
      input: { ...input, clientAddress: request.clientAddress },
    }),
})

/** A photo of a case the operator may see (else 404, as an unknown one), its view audited. */
export const casePhotoInConsole = consoleVerb({
  parse: (raw) => parseConsoleInput(z.object({ photoId: z.string() }), raw, 'param'),
  run: ({ ctx, session, request, input }) =>
    casePhoto({
      ctx,
      operator: session.operator,
      input: { photoId: input.photoId, clientAddress: request.clientAddress },
    }),
})

/** 合并办理: the case as a path names it, then the duplicate to merge into it. */
export const mergeCaseInConsole = consoleVerb({
  parse: (raw) => {
    const { id } = caseCall(raw)
    const { fields } = parseConsoleInput(z.object({ fields: z.unknown() }), raw)
    return { id, ...parseConsoleInput(caseMergeInputSchema, fields) }
  },
  run: ({ ctx, session, request, input }) =>
    mergeCase({
      ctx,
      operator: session.operator,
      input: { ...input, clientAddress: request.clientAddress },
    }),
})
