import { crc32 } from 'node:zlib'
import { ByteWriter, fourcc, u32be } from './bytes.ts'
import { checkDimensions } from './dimensions.ts'
import { malformed } from './errors.ts'

const signature = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)

// Ancillary chunks that change how the picture looks (colour, transparency, pixel size) or make it
// an animation (APNG). Every other ancillary chunk goes: eXIf, tEXt, zTXt, iTXt and tIME, which
// carry camera data, locations, names and dates, but also vendor chunks such as C2PA manifests or
// Apple's iDOT (whose IDAT offsets would be wrong once chunks before them are gone). Decoders
// must ignore unknown ancillary chunks (PNG spec, section 5.4), so dropping them is safe.
const keptAncillary = new Set([
  'cHRM',
  'gAMA',
  'iCCP',
  'sBIT',
  'sRGB',
  'cICP',
  'mDCV',
  'cLLI',
  'bKGD',
  'hIST',
  'tRNS',
  'pHYs',
  'sPLT',
  'acTL',
  'fcTL',
  'fdAT',
])

const isLetter = (byte: number) => (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)

/**
 * The PNG with only critical chunks and the rendering ancillary chunks above, each copied
 * byte-exact after its length and CRC were checked. Bytes after IEND are dropped. The size in
 * IHDR is checked against the pixel caps before any other chunk is read.
 */
export function stripPng(bytes: Uint8Array): Uint8Array {
  if (!signature.every((byte, i) => bytes[i] === byte)) throw malformed('PNG signature missing')
  const out = new ByteWriter(bytes.length)
  out.write(signature)
  let at = signature.length
  let sawImageData = false
  while (true) {
    const length = u32be(bytes, at)
    const type = bytes.subarray(at + 4, at + 8)
    const name = fourcc(bytes, at + 4)
    const end = at + 12 + length
    if (length > 0x7fffffff || end > bytes.length)
      throw malformed(`PNG chunk ${name} runs past the end`)
    if (!type.every(isLetter)) throw malformed(`PNG chunk type at ${at} is not four letters`)
    if (crc32(bytes.subarray(at + 4, end - 4)) !== u32be(bytes, end - 4)) {
      throw malformed(`PNG chunk ${name} at ${at} fails its CRC`)
    }
    const first = at === signature.length
    if (first !== (name === 'IHDR')) throw malformed('PNG must start with exactly one IHDR')
    if (first && length !== 13) throw malformed('PNG IHDR has the wrong length')
    if (first) checkImageHeader(bytes, at + 8)
    if (name === 'IDAT') sawImageData = true
    const critical = (type[0]! & 0x20) === 0
    if (critical || keptAncillary.has(name)) out.write(bytes.subarray(at, end))
    at = end
    if (name === 'IEND') break
  }
  if (!sawImageData) throw malformed('PNG has no IDAT')
  return out.result()
}

/** Width and height from IHDR: zero is invalid (PNG spec 11.2.2), too many pixels refused. */
function checkImageHeader(bytes: Uint8Array, data: number): void {
  const width = u32be(bytes, data)
  const height = u32be(bytes, data + 4)
  if (width === 0 || height === 0) throw malformed(`PNG IHDR has size ${width}x${height}`)
  checkDimensions(width, height, 'PNG IHDR')
}
