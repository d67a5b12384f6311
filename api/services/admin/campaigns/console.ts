import { z } from 'zod'
import { consoleVerb, parseConsoleInput } from '../console-request.ts'
import { createCampaign, drawCampaign, publishCampaign } from './actions.ts'
import { listRecusalsFor, recordRecusal, withdrawRecusal } from './recusals.ts'
import {
  campaignIdParams,
  createCampaignSchema,
  drawCampaignSchema,
  publishCampaignSchema,
  recusalSchema,
} from './schemas.ts'
import { getCampaignFor, listCampaignsFor } from './view.ts'

// The campaign console's verbs (专项检查, 双随机, 回避, 公示): the same for the pages and for
// /api/admin/campaigns. Reading is open to every signed-in operator within their county; each
// verb decides who may change what (access.ts).

/** A campaign's id as a path names it, and the body's fields (under `fields`) as sent. */
function idAndFields(raw: unknown) {
  return {
    ...parseConsoleInput(campaignIdParams, raw, 'param'),
    ...parseConsoleInput(z.object({ fields: z.unknown() }), raw),
  }
}

export const listCampaignsInConsole = consoleVerb({
  parse: () => ({}),
  run: ({ ctx, session }) => listCampaignsFor({ ctx, operator: session.operator }),
})

export const getCampaignInConsole = consoleVerb({
  parse: (raw) => parseConsoleInput(campaignIdParams, raw, 'param'),
  run: ({ ctx, session, input }) =>
    getCampaignFor({ ctx, operator: session.operator, id: input.id }),
})

/** 新建专项检查, answered with the new campaign. */
export const createCampaignInConsole = consoleVerb({
  parse: (raw) => parseConsoleInput(createCampaignSchema, raw, 'json'),
  run: async ({ ctx, session, request, input }) => {
    const { id } = await createCampaign({
      ctx,
      operator: session.operator,
      input,
      clientAddress: request.clientAddress,
    })
    return getCampaignFor({ ctx, operator: session.operator, id })
  },
})

/** 抽取 (once), answered with the campaign and its draw. */
export const drawCampaignInConsole = consoleVerb({
  parse: (raw) => {
    const { id, fields } = idAndFields(raw)
    return { id, fields: parseConsoleInput(drawCampaignSchema, fields) }
  },
  run: async ({ ctx, session, request, input }) => {
    await drawCampaign({
      ctx,
      operator: session.operator,
      id: input.id,
      input: input.fields,
      clientAddress: request.clientAddress,
    })
    return getCampaignFor({ ctx, operator: session.operator, id: input.id })
  },
})

/** 公示, with a reason. */
export const publishCampaignInConsole = consoleVerb({
  parse: (raw) => {
    const { id, fields } = idAndFields(raw)
    return { id, fields: parseConsoleInput(publishCampaignSchema, fields) }
  },
  run: async ({ ctx, session, request, input }) => {
    await publishCampaign({
      ctx,
      operator: session.operator,
      id: input.id,
      input: input.fields,
      clientAddress: request.clientAddress,
    })
    return getCampaignFor({ ctx, operator: session.operator, id: input.id })
  },
})

export const listRecusalsInConsole = consoleVerb({
  parse: () => ({}),
  run: ({ ctx, session }) => listRecusalsFor({ ctx, operator: session.operator }),
})

/** 登记回避, answered with the recusals in force. */
export const recordRecusalInConsole = consoleVerb({
  parse: (raw) => parseConsoleInput(recusalSchema, raw, 'json'),
  run: async ({ ctx, session, request, input }) => {
    await recordRecusal({
      ctx,
      operator: session.operator,
      input,
      clientAddress: request.clientAddress,
    })
    return listRecusalsFor({ ctx, operator: session.operator })
  },
})

/** 撤回回避 (with a reason), answered with the recusals in force. */
export const withdrawRecusalInConsole = consoleVerb({
  parse: (raw) => parseConsoleInput(recusalSchema, raw, 'json'),
  run: async ({ ctx, session, request, input }) => {
    await withdrawRecusal({
      ctx,
      operator: session.operator,
      input,
      clientAddress: request.clientAddress,
    })
    return listRecusalsFor({ ctx, operator: session.operator })
  },
})
