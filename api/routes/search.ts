import { createRoute, z } from '@hono/zod-openapi'
import { enterpriseSchema, gradeSchema, understoodSchema } from '../services/enterprises/schemas.ts'
import { countSearch } from '../services/limits/search-limit.ts'
import { publicSearch } from '../services/search/public.ts'
import type { App } from '../env.ts'
import { clientAddress } from './client-address.ts'
import { errorResponses } from './shared.ts'

const noticeHitSchema = z
  .object({
    slug: z.string(),
    title: z.string(),
    date: z.string(),
    category: z.string(),
    summary: z.string(),
  })
  .openapi('NoticeHit')

const marketEntityHitSchema = z
  .object({
    uscc: z.string(),
    name: z.string(),
    county: z.string(),
    countyName: z.string(),
    sector: z.string(),
    sectorName: z.string(),
    address: z.string(),
    grade: gradeSchema.nullable(),
  })
  .openapi('MarketEntityHit', {
    description:
      '未认定诚信计量单位的市场主体（检查、查实投诉或行政处罚中出现过），有信用记录：GET /api/enterprises/{uscc}/record',
  })

const route = createRoute({
  method: 'get',
  path: '/search',
  operationId: 'searchSite',
  security: [],
  summary: '公开搜索：诚信计量单位、其他市场主体与公告',
  request: {
    query: z.object({
      q: z.string().trim().min(1, '请输入搜索词').max(100, '搜索词最多 100 个字'),
      limit: z.coerce.number().int().min(1).max(50).default(10),
      /** 1: search the words as typed, without reading county and sector words as filters. */
      typed: z.literal('1').optional(),
    }),
  },
  responses: {
    200: {
      description: 'Hits from the public indexes.',
      content: {
        'application/json': {
          schema: z.object({
            understood: understoodSchema,
            enterprises: z.array(enterpriseSchema),
            notices: z.array(noticeHitSchema),
            marketEntities: z.array(marketEntityHitSchema),
          }),
        },
      },
    },
    ...errorResponses(400, 429, 503),
  },
})

export function registerSearchRoutes(app: App) {
  app.openapi(route, async (c) => {
    await countSearch(c.get('deps'), clientAddress(c))
    const { typed, ...input } = c.req.valid('query')
    const result = await publicSearch({ ctx: c.get('ctx'), input: { ...input, asTyped: !!typed } })
    return c.json(result, 200)
  })
}
