import { ByteWriter, hasAscii, u16be } from './bytes.ts'
import { checkDimensions } from './dimensions.ts'
import { malformed } from './errors.ts'
import { orientationOnlyApp1, readExifOrientation } from './exif-orientation.ts'

// Markers from ITU-T T.81 table B.1.
const SOI = 0xd8
const EOI = 0xd9
const SOS = 0xda
const TEM = 0x01
const APP1 = 0xe1
const APP2 = 0xe2
const APP14 = 0xee
const APP15 = 0xef
const COM = 0xfe

const isRestart = (marker: number) => marker >= 0xd0 && marker <= 0xd7
const isFrameHeader = (marker: number) =>
  marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc

/**
 * Whether a segment stays. APP1 (Exif, XMP) goes; APP2 stays only as an ICC profile, APP14 only
 * as Adobe's (it says how to convert the colours); the other APPn and comments go. Everything
 * else (APP0 JFIF, tables, frame and scan headers) is needed to decode and stays byte-exact.
 */
function keeps(marker: number, payload: Uint8Array): boolean {
  if (marker === COM || marker === APP1) return false
  if (marker === APP2) return hasAscii(payload, 0, 'ICC_PROFILE\0')
  if (marker === APP14) return hasAscii(payload, 0, 'Adobe')
  return marker < APP2 || marker > APP15
}

/**
 * The JPEG without metadata segments, everything else byte-exact. Segments between the scans of
 * a progressive JPEG are filtered like those before the first scan. Bytes after the EOI are
 * dropped: that is where phones append MPF secondary images (with Exif of their own) and vendor
 * trailers, and the index that pointed at them lived in an APP2 segment that is gone. A file
 * cut off inside scan data is kept (decoders show what arrived); one cut off earlier is not.
 * Every frame header's size is checked against the pixel caps before its scans are read.
 */
export function stripJpeg(bytes: Uint8Array): Uint8Array {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== SOI) {
    throw malformed('JPEG does not start with SOI')
  }
  const out = new ByteWriter(bytes.length)
  out.write(bytes.subarray(0, 2))
  let at = 2
  let sawFrame = false
  let sawExif = false
  let scans = 0
  let inScan = false // inside entropy-coded data
  let scanBytes = 0 // entropy-coded bytes of the latest scan
  while (at < bytes.length) {
    if (inScan) {
      const marker = nextMarker(bytes, at)
      scanBytes += marker - at
      out.write(bytes.subarray(at, marker))
      at = marker
      inScan = false
      continue
    }
    const segmentStart = at
    if (bytes[at] !== 0xff) throw malformed(`JPEG has no marker at ${at}`)
    while (at < bytes.length && bytes[at] === 0xff) at++ // fill bytes before a marker
    if (at >= bytes.length) throw malformed('JPEG ends inside a marker')
    const marker = bytes[at]!
    at++
    if (marker === EOI) {
      if (scanBytes === 0) throw malformed('JPEG ends before any scan data')
      out.write(bytes.subarray(segmentStart, at))
      return out.result()
    }
    if (marker === SOI || marker === 0x00) throw malformed(`unexpected JPEG marker ${marker}`)
    if (marker === TEM || isRestart(marker)) {
      out.write(bytes.subarray(segmentStart, at))
      continue
    }
    const length = u16be(bytes, at)
    const segmentEnd = at + length
    if (length < 2 || segmentEnd > bytes.length) {
      throw malformed(`JPEG segment ${marker} at ${segmentStart} runs past the end`)
    }
    const payload = bytes.subarray(at + 2, segmentEnd)
    const segment = bytes.subarray(segmentStart, segmentEnd)
    at = segmentEnd
    if (isFrameHeader(marker)) {
      checkFrameSize(payload)
      sawFrame = true
    }
    if (marker === SOS) {
      if (!sawFrame) throw malformed('JPEG scan before any frame header')
      scans++
      inScan = true
      scanBytes = 0
      out.write(segment)
    } else if (keeps(marker, payload)) {
      out.write(segment)
    } else if (marker === APP1 && !sawExif && hasAscii(payload, 0, 'Exif\0\0')) {
      sawExif = true
      const orientation = readExifOrientation(payload.subarray(6))
      if (orientation !== undefined && orientation !== 1)
        out.write(orientationOnlyApp1(orientation))
    }
  }
  if (scanBytes === 0) {
    throw malformed(scans === 0 ? 'JPEG ends before its first scan' : 'JPEG ends without scan data')
  }
  return out.result()
}

/**
 * Where the entropy-coded data starting at `from` ends: the next 0xFF (fill bytes included) that
 * begins a marker other than a stuffed zero or a restart marker, or the end of the bytes.
 */
function nextMarker(bytes: Uint8Array, from: number): number {
  let at = from
  while (at < bytes.length) {
    if (bytes[at] !== 0xff) {
      at++
      continue
    }
    let next = at + 1
    while (next < bytes.length && bytes[next] === 0xff) next++
    if (next >= bytes.length) return bytes.length
    const marker = bytes[next]!
    if (marker !== 0x00 && !isRestart(marker)) return at
    at = next + 1
  }
  return bytes.length
}

/**
 * Lines and samples per line from a frame header (T.81 B.2.2: precision, Y, X). A height of 0
 * leaves it to a DNL marker after the first scan, which browsers' decoders do not support, and
 * would leave the size unknown until the picture is decoded: refused as malformed.
 */
function checkFrameSize(payload: Uint8Array): void {
  if (payload.length < 6) throw malformed('JPEG frame header too short')
  const height = u16be(payload, 1)
  const width = u16be(payload, 3)
  if (width === 0 || height === 0) throw malformed(`JPEG frame has size ${width}x${height}`)
  checkDimensions(width, height, 'JPEG frame header')
}
