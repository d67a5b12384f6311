import { z } from '@hono/zod-openapi'

export const usccParams = z.object({
  uscc: z
    .string()
    .transform((v) => v.trim().toUpperCase())
    .pipe(z.string().regex(/^[0-9A-Z]{18}$/, '统一社会信用代码应为 18 位数字或大写字母')),
})
