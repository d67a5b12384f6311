import { createRoute, z } from '@hono/zod-openapi'
import { getEnterprise } from '../../services/enterprises/get.ts'
import { enterpriseDetailSchema } from '../../services/enterprises/schemas.ts'
import type { App } from '../../env.ts'
import { errorResponses } from '../shared.ts'

const params = z.object({
  uscc: z
    .string()
    .transform((v) => v.trim().toUpperCase())
    .pipe(z.string().regex(/^[0-9A-Z]{18}$/, '统一社会信用代码应为 18 位数字或大写字母')),
})

const route = createRoute({
  method: 'get',
  path: '/enterprises/{uscc}',
  operationId: 'getEnterprise',
  security: [],
  summary: '单个诚信计量单位及其认定历史',
  request: { params },
  responses: {
    200: {
      description: 'The business and its certification history.',
      content: { 'application/json': { schema: enterpriseDetailSchema } },
    },
    ...errorResponses(400, 404),
  },
})

export function registerGetEnterprise(app: App) {
  app.openapi(route, async (c) => {
    const detail = await getEnterprise({ ctx: c.get('ctx'), input: c.req.valid('param') })
    return c.json(detail, 200)
  })
}
