import { ByteWriter, fourcc, hasAscii, u16le, u24le, u32le, u8 } from './bytes.ts'
import { checkDimensions } from './dimensions.ts'
import { malformed } from './errors.ts'

// Chunks needed to show the picture (RIFF container spec for WebP, "Extended File Format").
// EXIF, XMP and any chunk the spec does not define are dropped; readers must ignore unknown
// chunks, so nothing that draws the image is lost.
const keptChunks = new Set(['VP8X', 'ICCP', 'ANIM', 'ANMF', 'ALPH', 'VP8 ', 'VP8L'])
const imageChunks = new Set(['VP8 ', 'VP8L', 'ANMF'])
// VP8X flag bits: Rsv(2) ICC(1) Alpha(1) EXIF(1) XMP(1) Animation(1) Rsv(1), most significant first.
const exifFlag = 0x08
const xmpFlag = 0x04

/**
 * The WebP without EXIF and XMP, VP8X flags saying so, RIFF size recomputed; bytes past RIFF go.
 * Every size the file announces (canvas, bitstream, animation frame) is checked against the
 * pixel caps as its chunk is met, before any later chunk is read.
 */
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
    checkChunkSize(bytes, name, at + 8, end)
    if (imageChunks.has(name)) sawImage = true
    at = end
  }
  if (!sawImage) throw malformed('WebP has no image data')
  const result = out.result()
  new DataView(result.buffer).setUint32(4, result.length - 8, true)
  return result
}

/**
 * The picture size a chunk announces, if it announces one (WebP container and lossless
 * bitstream specs; RFC 6386 section 9.1 for VP8 key frames). Width and height are read as
 * stored: VP8X and ANMF store each minus one, VP8L too, VP8 stores them plainly in 14 bits.
 */
function checkChunkSize(bytes: Uint8Array, name: string, data: number, end: number): void {
  const need = (count: number) => {
    if (data + count > end) throw malformed(`WebP ${name} chunk too short for its header`)
  }
  if (name === 'VP8X') {
    checkDimensions(u24le(bytes, data + 4) + 1, u24le(bytes, data + 7) + 1, 'WebP VP8X canvas')
  } else if (name === 'ANMF') {
    need(12)
    checkDimensions(u24le(bytes, data + 6) + 1, u24le(bytes, data + 9) + 1, 'WebP ANMF frame')
  } else if (name === 'VP8L') {
    need(5)
    if (u8(bytes, data) !== 0x2f) throw malformed('WebP VP8L signature missing')
    const bits = u32le(bytes, data + 1)
    checkDimensions((bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1, 'WebP VP8L header')
  } else if (name === 'VP8 ') {
    need(10)
    const isKeyFrame = (u8(bytes, data) & 1) === 0
    const hasStartCode = u8(bytes, data + 3) === 0x9d && u8(bytes, data + 4) === 0x01
    if (!isKeyFrame || !hasStartCode || u8(bytes, data + 5) !== 0x2a) {
      throw malformed('WebP VP8 chunk does not start with a key frame')
    }
    const width = u16le(bytes, data + 6) & 0x3fff
    const height = u16le(bytes, data + 8) & 0x3fff
    if (width === 0 || height === 0) throw malformed(`WebP VP8 frame has size ${width}x${height}`)
    checkDimensions(width, height, 'WebP VP8 frame')
  }
}
