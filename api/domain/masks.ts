/**
 * How personal numbers and names are shown to whoever may not read them in full: a `viewer` of
 * the console, the private search index and text kept after an erasure (PIPL; DESIGN.md section
 * 4). One module, so every surface masks the same numbers the same way (issue 20).
 *
 * What stays visible, and why:
 * - a mobile keeps its first 3 and last 4 digits (`138****5678`), the form DESIGN.md gives for
 *   lists: a caller who gives "尾号 5678" can be matched, the 4 hidden digits leave 10,000
 *   numbers per prefix and tail;
 * - a landline keeps its area code (a city, not a person) and at most the last 4 digits of the
 *   local number, with at least 4 hidden (`0578-****456` for a 7-digit local number);
 * - a resident ID number keeps its first 6 (the region of registration, a county) and last 4
 *   characters; the birth date, the part that identifies, is hidden (`331102********123X`).
 * Phone and ID numbers lose their separators and come out in ASCII digits, so a masked number
 * reads the same however it was typed; a country prefix (+86, 0086, 86) stays as written.
 */

// Full-width digits (０-９) are what Chinese input methods type in full-width mode.
const digit = '[0-9\\uFF10-\\uFF19]'
/**
 * Between two digits: a space (also no-break and ideographic), then a dash or dot of any width,
 * then a space: `138 1111 0004`, `138-1111-0004`, `138.1111.0004`, `138 - 1111 - 0004`.
 */
const space = '[ \\u00A0\\u3000]'
const dash = '[-\\u2010-\\u2015\\u2212\\uFF0D.\\uFF0E\\u00B7\\u30FB]'
// Written so that each text between digits matches in one way only: an ambiguous gap (a lone
// space matching either side of the dash) would make a failed match backtrack exponentially.
const gap = `(?:${space}(?:${dash}${space}?)?|${dash}${space}?)?`
const notAfterDigit = `(?<!${digit})`
const notBeforeDigit = `(?!${digit})`
/** `n` digits with an optional gap between any two of them. */
const spacedDigits = (n: number) => `${digit}(?:${gap}${digit}){${n - 1}}`

/** A mainland country prefix as people write it: +86, ＋86, 0086, 86, (+86), followed by a gap. */
const countryPrefix = `(?:[(\\uFF08]?(?:[+\\uFF0B]|[0\\uFF10]{2})?[8\\uFF18][6\\uFF16][)\\uFF09]?${gap})`

const idPattern = new RegExp(
  `${notAfterDigit}${spacedDigits(17)}(?:${gap})[0-9\\uFF10-\\uFF19Xx\\uFF38\\uFF58]${notBeforeDigit}`,
  'g',
)
const mobilePattern = new RegExp(
  `${notAfterDigit}(${countryPrefix})?([1\\uFF11]${gap}[3-9\\uFF13-\\uFF19]${gap}${spacedDigits(9)})${notBeforeDigit}`,
  'g',
)
// A landline: (0578) 2123456, 0578-2123456, 010 8765 4321, or +86 578 2123456. The area code and
// the local number are told apart by the code's length (below), not by where a gap falls.
const landlinePattern = new RegExp(
  `${notAfterDigit}(?:(${countryPrefix})|[(\\uFF08]?(?=[0\\uFF10]))(${digit}(?:[)\\uFF09]?${gap}${digit}){8,11})${notBeforeDigit}`,
  'g',
)

/** Full-width digits and letters folded to ASCII, everything but digits and X dropped. */
function compact(written: string): string {
  return written
    .replace(/[\uFF10-\uFF19\uFF38\uFF58]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[^0-9Xx]/g, '')
    .toUpperCase()
}

const stars = (n: number) => '*'.repeat(n)

/** A birth date an ID number could hold: 18xx–20xx, month 01–12, day 01–31. */
const plausibleBirth = /^(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])$/

function maskId(written: string): string {
  const id = compact(written)
  // 18 digits that cannot be an ID number (a ticket number, an order number) stay as they are.
  if (!/^[1-9]/.test(id) || !plausibleBirth.test(id.slice(6, 14))) return written
  return `${id.slice(0, 6)}${stars(8)}${id.slice(14)}`
}

const maskMobileDigits = (d: string) => `${d.slice(0, 3)}${stars(4)}${d.slice(7)}`

/** Area codes are 010 and 02x (3 digits with the trunk 0), all others 4 (0578). */
const areaCodeLength = (national: string) => (/^0(?:10|2\d)/.test(national) ? 3 : 4)

/**
 * `national` with its trunk 0 (05782123456): area code, dash, local number with at least 4 of
 * its digits hidden and at most the last 4 shown; undefined if it is no landline.
 */
function maskLandlineDigits(national: string): string | undefined {
  if (!/^0[1-9]/.test(national)) return undefined
  const area = national.slice(0, areaCodeLength(national))
  const local = national.slice(area.length)
  if (local.length < 7 || local.length > 8 || !/^[2-9]/.test(local)) return undefined
  const shown = Math.min(4, local.length - 4)
  return `${area}-${stars(local.length - shown)}${local.slice(local.length - shown)}`
}

/**
 * Masks every phone and resident ID number in free text, however it was written (full-width
 * digits, +86/0086/86 prefixes, spaces, dashes or dots between any digits), and leaves other
 * numbers (prices, weights, dates, counts) as they were. Landlines are recognised only with
 * their area code: a bare 7-digit number cannot be told from an amount or a count.
 */
export function maskPersonalNumbers(text: string): string {
  return text
    .replace(idPattern, maskId)
    .replace(mobilePattern, (_match, prefix: string | undefined, number: string) => {
      return `${prefix ?? ''}${maskMobileDigits(compact(number))}`
    })
    .replace(landlinePattern, (match, prefix: string | undefined, number: string) => {
      const digits = compact(number)
      const masked = maskLandlineDigits(prefix === undefined ? digits : `0${digits}`)
      if (masked === undefined) return match
      return prefix === undefined ? masked : `${prefix}${masked.slice(1)}`
    })
}

/**
 * One spelling per number: full-width characters folded (input methods type them), spaces,
 * dashes and brackets removed, and the +86 / 0086 country code dropped. A landline given in
 * international form gets back its trunk 0, so `+86 578 2123456` equals `0578-2123456`.
 */
export function normalizePhone(phone: string): string {
  const compacted = phone.normalize('NFKC').replace(/[\s\-()]/g, '')
  const national = /^(?:\+|00)86(\d+)$/.exec(compacted)?.[1]
  if (national === undefined) return compacted
  return /^1[3-9]\d{9}$/.test(national) || national.startsWith('0') ? national : `0${national}`
}

/**
 * A contact phone as lists show it, masked as in free text: `138****5678`, `0578-****456`.
 * Anything else keeps at most its first 3 and last 4 characters, fewer for shorter input, so at
 * least four are always hidden; five characters or fewer are hidden entirely.
 */
export function maskPhone(phone: string): string {
  const normalized = normalizePhone(phone)
  const masked = maskPersonalNumbers(normalized)
  if (masked !== normalized) return masked
  const chars = Array.from(normalized)
  const n = chars.length
  const [head, tail] = n >= 11 ? [3, 4] : n >= 8 ? [0, 4] : n >= 6 ? [0, 2] : [0, 0]
  return chars.map((c, i) => (i < head || i >= n - tail ? c : '*')).join('')
}

/** `张*`, `欧***`: the first character only, and nothing of a one-character name. */
export function maskName(name: string): string {
  const chars = Array.from(name.trim())
  if (chars.length === 0) return ''
  if (chars.length === 1) return '*'
  return chars[0]! + '*'.repeat(chars.length - 1)
}
