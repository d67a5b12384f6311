import { z } from '@hono/zod-openapi'

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string().openapi({ description: '给人看的中文说明，告诉用户如何改正' }),
      requestId: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .openapi('Error')

const descriptions: Record<number, string> = {
  400: 'The request failed validation; `details` lists the fields.',
  404: 'Not found.',
  409: 'Conflicts with an earlier request (e.g. an idempotency key reused for other content).',
  413: 'The body is larger than the limit.',
  415: 'The content type is not one the route accepts.',
  429: 'Too many requests; see Retry-After.',
  503: 'A dependency is unavailable.',
}

/** OpenAPI entries for the error statuses a route can answer, all with the one error body. */
export function errorResponses(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((s) => [
      s,
      {
        description: descriptions[s] ?? 'Error.',
        content: { 'application/json': { schema: errorSchema } },
      },
    ]),
  )
}
