/**
 * The two things a resident types to follow a case (issue 23): the tracking number (受理编号) and
 * the query code (查询码), and how what they type is read. A Chinese input method types full-width
 * characters by default (ＪＬ２０２６…, ｋ７ｑｍ－３ｘｐａ), a phone keyboard may capitalise or not,
 * and a number read out over the phone comes back with spaces or without its hyphens: all of that
 * reads as the same number and code, on the page and in the API alike.
 */

/** No 0/O, 1/I/L: a code read out over the phone is not misheard. */
export const queryCodeAlphabet = '23456789ABCDEFGHJKMNPQRSTUVWXYZ'
export const queryCodeLength = 8

/**
 * A tracking number as issued now (JL20261206-4827-3915) or as it was issued until December 2026
 * (JL20261126-00042, from a sequence), which stays valid for the cases that have one.
 */
export const trackingNoPattern = /^JL\d{8}-(?:\d{4}-\d{4}|\d{5,})$/

/**
 * Dashes an input method or a word processor puts where a hyphen was meant, after NFKC (which
 * already turns the full-width －, the small ﹣ and the ideographic spaces into ASCII): hyphen,
 * non-breaking hyphen, figure dash, en and em dash, horizontal bar (U+2010–2015), minus sign
 * (U+2212), two- and three-em dashes (U+2E3A–2E3B), the katakana long-vowel mark ー and its
 * half-width ｰ that Chinese IMEs offer next to the dash, and the wave dash ～ some type for it.
 */
const dashes = /[\u2010-\u2015\u2212\u2e3a\u2e3b\u30fc\uff70\u301c~-]+/g

/** NFKC (full-width to ASCII), upper case, every dash variant as one ASCII hyphen. */
function folded(raw: string): string {
  return raw.normalize('NFKC').toUpperCase().replace(dashes, '-')
}

/**
 * A tracking number as a resident types or reads it: any case, spaces, full-width characters,
 * other dashes, or the hyphens left out. Only letters, digits and the hyphen survive. Eight digits
 * after the date are read as today's format (a sequential number reached eight digits only after
 * ten million complaints). Anything else comes back compacted, and fails `trackingNoPattern`.
 */
export function normalizeTrackingNo(raw: string): string {
  const compact = folded(raw).replace(/[^0-9A-Z-]/g, '')
  const random = /^JL(\d{8})-*(\d{4})-*(\d{4})$/.exec(compact)
  if (random) return `JL${random[1]}-${random[2]}-${random[3]}`
  const sequential = /^JL(\d{8})-*(\d{5,})$/.exec(compact)
  if (sequential) return `JL${sequential[1]}-${sequential[2]}`
  return compact
}

const notInQueryCode = new RegExp(`[^${queryCodeAlphabet}]`, 'g')

/**
 * A query code as a resident types it (k7qm-3xpa, ｋ７ｑｍ－３ｘｐａ, K7QM 3XPA) in the one form
 * its keyed hash is taken of: the eight characters of its alphabet, upper case, nothing else.
 * A character the alphabet lacks (a hyphen, a space, an O) is dropped, so a code mistyped with one
 * still fails as it should.
 */
export function normalizeQueryCode(raw: string): string {
  return folded(raw).replace(notInQueryCode, '')
}
