/**
 * 统一社会信用代码 (GB 32100-2015): 18 characters from a 31-letter alphabet (no I, O, S, V, Z);
 * the last is a check character computed from the first 17 with weights 3^i mod 31.
 */
export const usccAlphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY'
/** The alphabet as single characters (all ASCII, so splitting is safe). */
export const usccCharacters: readonly string[] = Array.from(usccAlphabet)
const weights = Array.from({ length: 17 }, (_, i) => 3 ** i % 31)

/** The check character for the first 17 characters of a code. */
export function usccCheckCharacter(first17: string): string {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += usccAlphabet.indexOf(first17[i] ?? '') * (weights[i] ?? 0)
  const value = (31 - (sum % 31)) % 31
  return usccAlphabet[value] ?? '0'
}

export type UsccProblem =
  | { rule: 'length'; message: string }
  | { rule: 'alphabet'; message: string }
  | { rule: 'division'; message: string }
  | { rule: 'check'; message: string }

/** Says which rule of GB 32100-2015 a code breaks, in words a clerk can act on; null if none. */
export function usccProblem(code: string): UsccProblem | null {
  if (code.length !== 18) {
    return { rule: 'length', message: `应为 18 位，实际 ${code.length} 位` }
  }
  const bad = code.search(/[^0-9A-HJ-NPQRTUWXY]/)
  if (bad >= 0) {
    return {
      rule: 'alphabet',
      message: `第 ${bad + 1} 位“${code[bad]}”不是有效字符（只能是数字和除 I、O、S、V、Z 外的大写字母）`,
    }
  }
  if (!/^\d{6}$/.test(code.slice(2, 8))) {
    return { rule: 'division', message: '第 3–8 位应为 6 位数字的行政区划码' }
  }
  const expected = usccCheckCharacter(code.slice(0, 17))
  if (code[17] !== expected) {
    return { rule: 'check', message: `校验位错误：第 18 位应为“${expected}”，实际为“${code[17]}”` }
  }
  return null
}

export const isValidUscc = (code: string) => usccProblem(code) === null

/**
 * A query that looks like the start of a unified social credit code (digits and the code's
 * capital letters, at least 6 characters, at least 4 of them digits). Such queries are answered
 * from PostgreSQL's primary key: exact and cheap, where a prefix search in Meilisearch over long
 * tokens costs tens of milliseconds (bench/search.ts).
 */
export function asUsccPrefix(q: string | undefined): string | undefined {
  if (!q) return undefined
  const compact = q.replace(/\s+/g, '').toUpperCase()
  if (!/^[0-9A-HJ-NPQRTUWXY]{6,18}$/.test(compact)) return undefined
  if ((compact.match(/\d/g) ?? []).length < 4) return undefined
  return compact
}
