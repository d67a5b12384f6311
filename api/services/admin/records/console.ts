import { z } from '@hono/zod-openapi'
import { consoleVerb, parseConsoleInput } from '../console-request.ts'
import { usccParams } from '../enterprises/params.ts'
import { recordWriters } from './access.ts'
import { recordCommitment, withdrawCommitmentOf } from './commitments.ts'
import { getConsoleRecord } from './get.ts'
import { listRecords } from './list.ts'
import { decideObjection, recordObjection } from './objections.ts'
import {
  commitmentInputSchema,
  decisionInputSchema,
  objectionInputSchema,
  recordsQuerySchema,
  withdrawalInputSchema,
} from './schemas.ts'

const recordId = (label: string) =>
  z.string().regex(/^[1-9]\d{0,17}$/, `${label}编号应为数字，请从信用记录页面进入`)
export const commitmentParams = usccParams.extend({ commitmentId: recordId('承诺') })
export const objectionParams = usccParams.extend({ objectionId: recordId('异议') })

const usccOf = (raw: unknown) => parseConsoleInput(usccParams, raw, 'param').uscc
const fieldsOf = (raw: unknown) => parseConsoleInput(z.object({ fields: z.unknown() }), raw).fields

/** 信用记录: find a business, and the certified ones yet to sign a commitment. */
export const listRecordsInConsole = consoleVerb({
  parse: (raw) => parseConsoleInput(recordsQuerySchema, raw, 'query'),
  run: ({ ctx, session, input }) => listRecords({ ctx, operator: session.operator, input }),
})

/** One business's whole credit record, as the console sees it. */
export const getRecordInConsole = consoleVerb({
  parse: usccOf,
  run: ({ ctx, session, input }) =>
    getConsoleRecord({ ctx, operator: session.operator, uscc: input }),
})

/** 记录自我承诺 */
export const recordCommitmentInConsole = consoleVerb({
  access: recordWriters,
  parse: (raw) => ({
    uscc: usccOf(raw),
    commitment: parseConsoleInput(commitmentInputSchema, fieldsOf(raw)),
  }),
  run: ({ ctx, session, request, input }) =>
    recordCommitment({
      ctx,
      operator: session.operator,
      input: { ...input, clientAddress: request.clientAddress },
    }),
})

/** 撤回承诺 */
export const withdrawCommitmentInConsole = consoleVerb({
  access: recordWriters,
  parse: (raw) => ({
    ...parseConsoleInput(commitmentParams, raw, 'param'),
    ...parseConsoleInput(withdrawalInputSchema, fieldsOf(raw)),
  }),
  run: ({ ctx, session, request, input }) =>
    withdrawCommitmentOf({
      ctx,
      operator: session.operator,
      input: { ...input, clientAddress: request.clientAddress },
    }),
})

/** 登记异议 */
export const recordObjectionInConsole = consoleVerb({
  access: recordWriters,
  parse: (raw) => ({
    uscc: usccOf(raw),
    objection: parseConsoleInput(objectionInputSchema, fieldsOf(raw)),
  }),
  run: ({ ctx, session, request, input }) =>
    recordObjection({
      ctx,
      operator: session.operator,
      input: { ...input, clientAddress: request.clientAddress },
    }),
})

/** 异议处理 */
export const decideObjectionInConsole = consoleVerb({
  access: recordWriters,
  parse: (raw) => ({
    ...parseConsoleInput(objectionParams, raw, 'param'),
    decision: parseConsoleInput(decisionInputSchema, fieldsOf(raw)),
  }),
  run: ({ ctx, session, request, input }) =>
    decideObjection({
      ctx,
      operator: session.operator,
      input: {
        uscc: input.uscc,
        objectionId: input.objectionId,
        decision: input.decision,
        clientAddress: request.clientAddress,
      },
    }),
})
