import { ByteWriter, fourcc, hasAscii, u32le } from './bytes.ts'
import { malformed } from './errors.ts'

// Chunks needed to show the picture (RIFF container spec for WebP, "Extended File Format").
// EXIF, XMP and any chunk the spec does not define are dropped; readers must ignore unknown
// chunks, so nothing that draws the image is lost.
const keptChunks = new Set(['VP8X', 'ICCP', 'ANIM', 'ANMF', 'ALPH', 'VP8 ', 'VP8L'])
const imageChunks = new Set(['VP8 ', 'VP8L', 'ANMF'])
// VP8X flag bits: Rsv(2) ICC(1) Alpha(1) EXIF(1) XMP(1) Animation(1) Rsv(1), most significant first.
const exifFlag = 0x08
const xmpFlag = 0x04

/** The WebP without EXIF and XMP, VP8X flags saying so, RIFF size recomputed; bytes past RIFF go. */
export function stripWebp(bytes: Uint8Array): Uint8Array {
  if (!hasAscii(bytes, 0, 'RIFF') || !hasAscii(bytes, 8, 'WEBP')) {
    throw malformed('WebP RIFF header missing')
  }
  const riffEnd = 8 + u32le(bytes, 4)
  if (riffEnd > bytes.length) throw malformed('WebP RIFF size exceeds the file')
  const out = new ByteWriter(riffEnd)
  out.write(bytes.subarray(0, 12)) // RIFF size fixed below
  let sawImage = false
  let at = 12
  while (at < riffEnd) {
    if (at + 8 > riffEnd) throw malformed(`WebP chunk header at ${at} cut off`)
    const name = fourcc(bytes, at)
    const size = u32le(bytes, at + 4)
    const end = at + 8 + size + (size & 1) // chunks are padded to an even size
    if (end > riffEnd) throw malformed(`WebP chunk ${name} runs past the RIFF end`)
    if (at === 12 && name !== 'VP8 ' && name !== 'VP8L' && name !== 'VP8X') {
      throw malformed(`WebP starts with ${name}, not an image or VP8X chunk`)
    }
    if (name === 'VP8X') {
      if (at !== 12 || size < 10) throw malformed('WebP VP8X chunk misplaced or too short')
      const chunk = bytes.slice(at, end)
      chunk[8] = chunk[8]! & ~(exifFlag | xmpFlag)
      out.write(chunk)
    } else if (keptChunks.has(name)) {
      out.write(bytes.subarray(at, end))
    }
    if (imageChunks.has(name)) sawImage = true
    at = end
  }
  if (!sawImage) throw malformed('WebP has no image data')
  const result = out.result()
  new DataView(result.buffer).setUint32(4, result.length - 8, true)
  return result
}
