import { z } from '@hono/zod-openapi'
import { creditGrades, visitResults } from '../../domain/credit.ts'

// The public side of 专项检查 (一公开, issue 22 point 8): what /inspections and
// /api/inspections show. Businesses by name and code; never an inspector, never a resident.

export const publicCampaignParams = z.object({
  id: z
    .string()
    .regex(/^[1-9]\d{0,17}$/, '专项检查编号应为数字')
    .openapi({ param: { name: 'id', in: 'path' }, example: '7' }),
})

const named = z.object({ code: z.string(), name: z.string() })

const publicCampaignItemSchema = z.object({
  id: z.string(),
  title: z.string(),
  kind: z.string(),
  kindName: z.string(),
  startsOn: z.string(),
  endsOn: z.string(),
  counties: z.array(named),
  /** YYYY-MM-DD (Beijing) the results were published. */
  publishedOn: z.string(),
  visits: z.number().int(),
  failed: z.number().int(),
})

export const publicCampaignListSchema = z.object({ items: z.array(publicCampaignItemSchema) })

const publicVisitSchema = z.object({
  rank: z.number().int(),
  uscc: z.string(),
  name: z.string(),
  countyName: z.string(),
  /** Null until the visit's result is recorded. */
  visitedOn: z.string().nullable(),
  result: z.enum(visitResults).nullable(),
  /** 合格 / 不合格 / 待检查. */
  resultName: z.string(),
  /** 整改 in plain Chinese: 无需整改, 整改中（期限 …）, 已整改（复查 …）, … */
  rectification: z.string(),
  /** An upheld objection's correction of this result, if any. */
  correction: z.string().nullable(),
})

export const publicCampaignSchema = publicCampaignItemSchema.extend({
  sectors: z.array(named),
  draw: z.object({
    /** Beijing time, ISO 8601. */
    drawnAt: z.string(),
    seed: z.string(),
    method: z.string(),
    weights: z.object(
      Object.fromEntries(creditGrades.map((g) => [g, z.number()])) as Record<
        (typeof creditGrades)[number],
        z.ZodNumber
      >,
    ),
    drawSize: z.number().int(),
    /** The pool as the method read it (sorted by credit code), each with its grade then. */
    pool: z.array(z.object({ uscc: z.string(), grade: z.enum(creditGrades) })),
  }),
  visitList: z.array(publicVisitSchema),
})

export type PublicCampaign = z.infer<typeof publicCampaignSchema>
export type PublicCampaignList = z.infer<typeof publicCampaignListSchema>
