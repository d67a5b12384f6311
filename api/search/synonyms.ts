import { z } from 'zod'
import content from '../../content/search/synonyms.json' with { type: 'json' }

/** One word as residents type it: no spaces, at most 20 characters. */
const word = z.string({ error: '应为文字' }).regex(/^\S{1,20}$/u, '应为 1 到 20 个字，不含空格')

/** The bureau's search words (content/search/synonyms.json, see its README). */
const searchWordsSchema = z
  .strictObject(
    {
      /** Words that find each other (菜市场/农贸市场/菜场/集贸市场). */
      groups: z.array(
        z
          .array(word, { error: '应为词的列表' })
          .min(2, '一组至少 2 个词')
          .max(12, '一组最多 12 个词'),
        { error: '应为列表' },
      ),
      /** A common mis-typing and the word meant (加由站 → 加油站); one way only. */
      typos: z.record(word, word, { error: '应为“错字: 正确的词”' }),
    },
    { error: '应有 groups 和 typos 两项' },
  )
  .superRefine((value, ctx) => {
    const seen = new Map<string, number>()
    value.groups.forEach((group, g) =>
      group.forEach((w, i) => {
        const earlier = seen.get(w)
        if (earlier !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['groups', g, i],
            message: `“${w}”已在第 ${earlier + 1} 组中，一个词只能在一组里`,
          })
        else seen.set(w, g)
      }),
    )
    for (const [typo, meant] of Object.entries(value.typos)) {
      if (seen.has(typo))
        ctx.addIssue({
          code: 'custom',
          path: ['typos', typo],
          message: `“${typo}”是同义词组里的词，不能同时当作错字`,
        })
      if (typo === meant)
        ctx.addIssue({ code: 'custom', path: ['typos', typo], message: '错字与正确的词相同' })
    }
  })

export type SearchWords = z.infer<typeof searchWordsSchema>

/** Parses the content, or throws naming every wrong entry (the process refuses to start). */
export function parseSearchWords(
  raw: unknown,
  source = 'content/search/synonyms.json',
): SearchWords {
  const parsed = searchWordsSchema.safeParse(raw)
  if (parsed.success) return parsed.data
  const lines = parsed.error.issues.map((i) => `${i.path.join('.') || '文件'}: ${i.message}`)
  throw new Error(`${source} 有误：\n${lines.join('\n')}`)
}

/**
 * Meilisearch's `synonyms` setting: every word of a group names the others (Meilisearch does not
 * follow synonyms transitively); a typo names the word meant and that word's group.
 */
export function toMeiliSynonyms(words: SearchWords): Record<string, string[]> {
  const synonyms: Record<string, string[]> = {}
  const groupOf = new Map<string, readonly string[]>()
  for (const group of words.groups) {
    for (const w of group) {
      groupOf.set(w, group)
      synonyms[w] = group.filter((other) => other !== w)
    }
  }
  for (const [typo, meant] of Object.entries(words.typos)) {
    synonyms[typo] = [meant, ...(groupOf.get(meant) ?? []).filter((w) => w !== meant)]
  }
  return synonyms
}

/** The bureau's words, checked once when this module is first loaded. */
export const searchWords: SearchWords = parseSearchWords(content)
