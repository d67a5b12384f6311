// Phones often store the picture sideways and say "rotate on display" in the Exif Orientation
// tag (0x0112). Dropping all of Exif would show such photos sideways, so the JPEG stripper puts
// back an Exif block holding that one tag and nothing else (no GPS, no camera, no time).

/** The Orientation (1..8) in a TIFF structure as found in Exif; undefined if absent or unreadable. */
export function readExifOrientation(tiff: Uint8Array): number | undefined {
  const little = tiff[0] === 0x49 && tiff[1] === 0x49 // "II"
  const big = tiff[0] === 0x4d && tiff[1] === 0x4d // "MM"
  if (!little && !big) return undefined
  const u16 = (at: number): number | undefined =>
    at < 0 || at + 2 > tiff.length
      ? undefined
      : little
        ? tiff[at]! | (tiff[at + 1]! << 8)
        : (tiff[at]! << 8) | tiff[at + 1]!
  const u32 = (at: number): number | undefined => {
    const first = u16(at)
    const second = u16(at + 2)
    if (first === undefined || second === undefined) return undefined
    return little ? second * 0x10000 + first : first * 0x10000 + second
  }
  if (u16(2) !== 42) return undefined
  const ifd = u32(4)
  if (ifd === undefined) return undefined
  const count = u16(ifd)
  if (count === undefined) return undefined
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + 12 * i
    if (entry + 12 > tiff.length) return undefined
    if (u16(entry) !== 0x0112) continue
    // SHORT, one value, stored left-justified in the value field.
    if (u16(entry + 2) !== 3 || u32(entry + 4) !== 1) return undefined
    const value = u16(entry + 8)
    return value !== undefined && value >= 1 && value <= 8 ? value : undefined
  }
  return undefined
}

/** A whole APP1 segment (marker included) with an Exif IFD0 holding only the Orientation. */
export function orientationOnlyApp1(orientation: number): Uint8Array {
  // prettier-ignore
  return Uint8Array.of(
    0xff, 0xe1, 0x00, 0x22, // APP1, length 34
    0x45, 0x78, 0x69, 0x66, 0x00, 0x00, // "Exif\0\0"
    0x4d, 0x4d, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x08, // big-endian TIFF, IFD0 at 8
    0x00, 0x01, // one entry
    0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, orientation & 0xff, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, // no next IFD
  )
}
