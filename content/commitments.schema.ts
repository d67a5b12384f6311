import { z } from 'zod'

/** Front matter of a commitment text (承诺书) under content/commitments/<version>.md. */
export const commitmentTextSchema = z.object({
  /** The version a signed commitment names; the same as the file name. */
  version: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/),
  /** Headline, e.g. 诚信计量承诺书. */
  title: z.string().min(4).max(80),
  /** The day the bureau published this text. */
  published: z.coerce.date(),
  /** One sentence shown above the text and in lists. */
  summary: z.string().min(10).max(200),
})
