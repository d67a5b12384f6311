import { normaliseText } from './warning-subjects.ts'

// Likely duplicates and merging (合并办理, issue 25 item 4): the rules the console's list and the
// merge verb share. Pure.

export const duplicateRule = {
  /** Cases received this many days either side of a case may duplicate it. */
  windowDays: 30,
  /** A case at the same place (market, street) counts when its description is at least this similar. */
  placeSimilarity: 0.3,
  /** At most this many are listed on a case page. */
  listed: 10,
  /** …chosen from at most this many candidates sharing a subject. */
  candidates: 60,
} as const

/** Why a case is listed as a likely duplicate. */
export type DuplicateReason = 'same_business' | 'same_place' | 'similar_description'

export const duplicateReasonLabels: Record<DuplicateReason, string> = {
  same_business: '同一单位',
  same_place: '同一地点',
  similar_description: '描述相似',
}

/** The character pairs of a text, normalised as subjects are (spaces and punctuation dropped). */
function bigrams(text: string): Map<string, number> {
  const chars = Array.from(normaliseText(text))
  const pairs = new Map<string, number>()
  for (let i = 0; i + 1 < chars.length; i++) {
    const pair = chars[i]! + chars[i + 1]!
    pairs.set(pair, (pairs.get(pair) ?? 0) + 1)
  }
  return pairs
}

/**
 * How alike two descriptions are, 0 to 1: the Sørensen–Dice coefficient of their character pairs
 * (Chinese has no spaces between words; pairs of characters catch 复秤, 缺斤, 短两 alike).
 */
export function descriptionSimilarity(a: string, b: string): number {
  const x = bigrams(a)
  const y = bigrams(b)
  let total = 0
  for (const n of x.values()) total += n
  for (const n of y.values()) total += n
  if (total === 0) return 0
  let shared = 0
  for (const [pair, n] of x) shared += Math.min(n, y.get(pair) ?? 0)
  return (2 * shared) / total
}

/**
 * Whether a case sharing `shared` subjects with `similarity` is a likely duplicate, and why: the
 * same business always is; the same place only with a similar description (a market holds many
 * stalls).
 */
export function duplicateReasons(
  shared: { business: boolean; place: boolean },
  similarity: number,
): DuplicateReason[] {
  const similar = similarity >= duplicateRule.placeSimilarity
  if (!shared.business && !(shared.place && similar)) return []
  return [
    ...(shared.business ? (['same_business'] as const) : []),
    ...(shared.place ? (['same_place'] as const) : []),
    ...(similar ? (['similar_description'] as const) : []),
  ]
}
