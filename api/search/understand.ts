import { filterWords, type FilterWord } from '../domain/search-words.ts'
import { searchWords, type SearchWords } from './synonyms.ts'

/** A filter the query's words chose, and the words that chose it, as typed. */
export interface UnderstoodFilter {
  value: string
  label: string
  word: string
}

export interface UnderstoodQuery {
  /** What remains to be searched as text. */
  text: string
  county: UnderstoodFilter | undefined
  sector: UnderstoodFilter | undefined
}

function typoFixes(words: SearchWords): Array<[string, string]> {
  return Object.entries(words.typos).sort(([a], [b]) => b.length - a.length)
}

const defaultFixes = typoFixes(searchWords)

/**
 * Reads county and sector words anywhere in a query, run together or not ("莲都加油站",
 * "加油站 莲都"), as filters, and takes them out of the text (issue 23). A filter the resident
 * already chose is left alone, and so are its words. Common mis-typings from the bureau's search
 * words are corrected first, so "莲部加由站" reads as 莲都区 · 加油站.
 *
 * A sector word stays in the text as well as in the filter: every business of the sector still
 * matches it (its sector name is searchable, and the bureau's synonyms join 菜场 to 集贸市场), and
 * those with the word in their names rank first, so "万象农贸市场" finds the market of that name
 * before the other markets on 万象 street.
 *
 * Plain string scans over a few hundred short words: microseconds, no round trip (acceptance 7).
 */
export function understandQuery(
  q: string,
  chosen: { county?: string | undefined; sector?: string | undefined },
  fixes: ReadonlyArray<readonly [string, string]> = defaultFixes,
): UnderstoodQuery {
  let text = q
  for (const [typo, meant] of fixes) if (text.includes(typo)) text = text.replaceAll(typo, meant)
  const found: Partial<Record<FilterWord['kind'], FilterWord>> = {}
  const wanted = (kind: FilterWord['kind']) => !found[kind] && !chosen[kind]
  let rest = ''
  let i = 0
  while (i < text.length) {
    const hit = filterWords.find((w) => wanted(w.kind) && text.startsWith(w.word, i))
    if (hit) {
      found[hit.kind] = hit
      // A sector word stays in the text as well: it ranks the businesses named by it first
      // ("万象农贸市场": the market called so before every other 万象 market).
      rest += hit.kind === 'sector' ? ` ${hit.word} ` : ' '
      i += hit.word.length
    } else {
      rest += text.charAt(i)
      i++
    }
  }
  if (!found.county && !found.sector) return { text: q, county: undefined, sector: undefined }
  const remaining = rest.replace(/\s+/g, ' ').trim()
  const asFilter = (w: FilterWord | undefined) =>
    w && { value: w.value, label: w.label, word: w.word }
  return {
    text: remaining,
    county: asFilter(found.county),
    sector: asFilter(found.sector),
  }
}
