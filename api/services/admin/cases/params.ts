import { z } from '@hono/zod-openapi'

/** A case's id in a console path. */
export const caseParams = z.object({
  id: z
    .string()
    .regex(/^[1-9]\d{0,17}$/, '案件编号应为数字，请从案件列表进入')
    .openapi({ param: { name: 'id', in: 'path' }, example: '42' }),
})
