import { createRoute, z } from '@hono/zod-openapi'
import { enterprisePageSchema, statusSchema } from '../../services/enterprises/schemas.ts'
import { listEnterprises } from '../../services/enterprises/list.ts'
import { countSearch } from '../../services/limits/search-limit.ts'
import type { App } from '../../env.ts'
import { clientAddress } from '../client-address.ts'
import { errorResponses } from '../shared.ts'

const maxPageSize = 100

const query = z.object({
  /** Free text: part of a name, an address or a credit code. */
  q: z
    .string()
    .transform((v) => v.replace(/\p{Cc}/gu, '').trim())
    .pipe(z.string().max(100, '搜索词最多 100 个字'))
    .optional(),
  county: z
    .string()
    .regex(/^\d{6}$/, '区县代码应为 6 位数字，例如 331102（莲都区）')
    .optional(),
  sector: z
    .string()
    .regex(/^[a-z_]{1,40}$/, '行业代码应为小写英文，例如 market（集贸市场）')
    .optional(),
  status: statusSchema.optional(),
  /** 1: search the words as typed, without reading county and sector words as filters. */
  typed: z.literal('1').optional(),
  page: z.coerce
    .number()
    .int('页码应为整数')
    .min(1, '页码从 1 开始')
    .max(10_000, '页码过大')
    .default(1),
  pageSize: z.coerce
    .number()
    .int('每页条数应为整数')
    .min(1, '每页至少 1 条')
    .max(maxPageSize, `每页最多 ${maxPageSize} 条`)
    .default(20),
})

const route = createRoute({
  method: 'get',
  path: '/enterprises',
  operationId: 'listEnterprises',
  security: [],
  summary: '诚信计量单位名录（分页，可按区县、行业、状态筛选）',
  request: { query },
  responses: {
    200: {
      description: 'One page of the directory.',
      content: { 'application/json': { schema: enterprisePageSchema } },
    },
    ...errorResponses(400, 429),
  },
})

export function registerListEnterprises(app: App) {
  app.openapi(route, async (c) => {
    const { typed, ...input } = c.req.valid('query')
    // Text goes to the search index; filters alone are a page of the directory.
    if (input.q) await countSearch(c.get('deps'), clientAddress(c))
    const page = await listEnterprises({ ctx: c.get('ctx'), input: { ...input, asTyped: !!typed } })
    return c.json(page, 200)
  })
}
