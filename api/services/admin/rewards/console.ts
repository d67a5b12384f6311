import { z } from 'zod'
import { consoleVerb, parseConsoleInput } from '../console-request.ts'
import { rewardReaders, rewardWriters } from './access.ts'
import { actOnReward } from './act.ts'
import { getCaseReward, listRewardsForConsole } from './read.ts'
import { revealPayee } from './reveal.ts'
import { rewardActionSchema, rewardCaseParams, rewardListQuerySchema } from './schemas.ts'

// 举报奖励's console verbs (issue 25, item 5): the case page, /admin/rewards and
// /api/admin/cases/:id/reward call the same ones, so each check exists once.

/** A case's reward, with the steps the operator may take. */
export const getCaseRewardInConsole = consoleVerb({
  access: rewardReaders,
  parse: (raw) => parseConsoleInput(rewardCaseParams, raw, 'param'),
  run: ({ ctx, session, input }) => getCaseReward({ ctx, operator: session.operator, input }),
})

/** 提出, 批准, 不予批准 or 登记发放: the case's id as a path names it, then the step's fields. */
export const actOnRewardInConsole = consoleVerb({
  access: rewardWriters,
  parse: (raw) => {
    const { id } = parseConsoleInput(rewardCaseParams, raw, 'param')
    const { fields } = parseConsoleInput(z.object({ fields: z.unknown() }), raw)
    return { id, act: parseConsoleInput(rewardActionSchema, fields) }
  },
  run: ({ ctx, session, request, input }) =>
    actOnReward({
      ctx,
      operator: session.operator,
      input: { ...input, clientAddress: request.clientAddress },
    }),
})

/** The rewards list from the query as sent. */
export const listRewardsInConsole = consoleVerb({
  access: rewardReaders,
  parse: (raw) => parseConsoleInput(rewardListQuerySchema, raw, 'query'),
  run: ({ ctx, session, input }) =>
    listRewardsForConsole({ ctx, operator: session.operator, input }),
})

/** The reporter's receiving details in full, once, audited (the handler who pays needs them). */
export const revealPayeeInConsole = consoleVerb({
  access: rewardWriters,
  parse: (raw) => parseConsoleInput(rewardCaseParams, raw, 'param'),
  run: ({ ctx, session, request, input }) =>
    revealPayee({
      ctx,
      operator: session.operator,
      input: { id: input.id, clientAddress: request.clientAddress },
    }),
})
