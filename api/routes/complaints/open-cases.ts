import { createRoute, z } from '@hono/zod-openapi'
import { countOpenCasesAbout, openCasesQuerySchema } from '../../services/complaints/open-cases.ts'
import type { App } from '../../env.ts'
import { errorResponses } from '../shared.ts'

const openCasesSchema = z
  .object({
    /** Whether the fields identify a business: a valid credit code, or name, address and county. */
    identified: z.boolean(),
    count: z.number().int(),
    /** The sentence the filing form shows; null when no case names it. */
    message: z.string().nullable(),
  })
  .openapi('OpenCasesAbout')

const route = createRoute({
  method: 'get',
  path: '/complaints/open-cases',
  operationId: 'countOpenCases',
  security: [],
  summary: '填写投诉举报时：关于该单位正在办理的投诉举报件数（不含任何详情）',
  description:
    'The business is identified by `merchantUscc`, or by `merchantName`, `address` and `county` ' +
    'as the form has them. Only the count is answered; it may lag a filing by up to 20 s (each replica reuses it 10 s, and the answer may be cached 10 s).',
  request: { query: openCasesQuerySchema },
  responses: {
    200: {
      description: 'How many cases naming the business are being handled.',
      content: { 'application/json': { schema: openCasesSchema } },
    },
    ...errorResponses(400),
  },
})

export function registerOpenCases(app: App) {
  app.openapi(route, async (c) => {
    const answer = await countOpenCasesAbout({ ctx: c.get('ctx'), input: c.req.valid('query') })
    c.header('Cache-Control', 'public, max-age=10')
    return c.json(answer, 200)
  })
}
