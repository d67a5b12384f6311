import { hasAscii } from './bytes.ts'

export type PhotoType = 'image/jpeg' | 'image/png' | 'image/webp' | 'image/heic'

const pngSignature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

// HEIF brands for HEVC-coded images and sequences, and the generic image/sequence brands
// (ISO/IEC 23008-12 annex B). Sequences (bursts, live photos) are recognised as HEIC here so
// that stripHeic can refuse them with a message of their own, not "not a picture". AVIF files
// also carry mif1, so their own brands veto the match: we promise JPEG, PNG, WebP or HEIC.
const heifBrands = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1'])
const avifBrands = new Set(['avif', 'avis'])

/** The image type the bytes really are, from their magic numbers alone; undefined if none of ours. */
export function sniffImage(bytes: Uint8Array): PhotoType | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return 'image/jpeg'
  }
  if (pngSignature.every((byte, i) => bytes[i] === byte)) return 'image/png'
  if (hasAscii(bytes, 0, 'RIFF') && hasAscii(bytes, 8, 'WEBP')) return 'image/webp'
  const brands = ftypBrands(bytes) ?? []
  const isHeif = brands.some((brand) => heifBrands.has(brand))
  return isHeif && !brands.some((brand) => avifBrands.has(brand)) ? 'image/heic' : undefined
}

/** Major and compatible brands of a leading ISOBMFF `ftyp` box, as far as the bytes go. */
function ftypBrands(bytes: Uint8Array): string[] | undefined {
  if (bytes.length < 16 || !hasAscii(bytes, 4, 'ftyp')) return undefined
  const size = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0
  // A 64-bit or to-the-end size never occurs on a real ftyp; a box shorter than its fields is junk.
  if (size < 16) return undefined
  // Real files list a handful of brands; reading at most 64 keeps a huge ftyp cheap.
  const end = Math.min(size, bytes.length, 16 + 4 * 64)
  const brands = [latin1(bytes, 8)]
  for (let at = 16; at + 4 <= end; at += 4) brands.push(latin1(bytes, at))
  return brands
}

function latin1(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + 4))
}
