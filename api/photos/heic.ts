import { fourcc, u16be, u32be, u64be, u8 } from './bytes.ts'
import { malformed } from './errors.ts'

// HEIF (ISO/IEC 23008-12) keeps Exif and XMP as items of the `meta` box: `iinf` names each item
// and its type, `iloc` says where its bytes are. Removing the items would shift every offset in
// `iloc` (and possibly in `mdat`), so we overwrite their bytes with zeros instead: lengths stay,
// every offset stays valid, the picture is untouched, and readers find an Exif item that holds
// nothing. The emptied items stay listed, which says "there was metadata" and nothing more.
// Metadata must lie inside an mdat box (where encoders put it), so zeroing never touches the
// box structure and a second pass gives the same bytes.

interface Box {
  type: string
  /** First byte after the header (size, type, largesize, uuid usertype). */
  bodyStart: number
  end: number
}

/** The boxes laid end to end between `from` and `to`, which must tile the range exactly. */
function readBoxes(bytes: Uint8Array, from: number, to: number): Box[] {
  const boxes: Box[] = []
  let at = from
  while (at < to) {
    if (at + 8 > to) throw malformed(`ISOBMFF box header at ${at} cut off`)
    const type = fourcc(bytes, at + 4)
    let size = u32be(bytes, at)
    let header = 8
    if (size === 1) {
      if (at + 16 > to) throw malformed(`ISOBMFF largesize at ${at} cut off`)
      size = u64be(bytes, at + 8)
      header = 16
    } else if (size === 0) {
      size = to - at // "extends to the end" (of the file, or of the enclosing box)
    }
    if (type === 'uuid') header += 16
    if (size < header || at + size > to)
      throw malformed(`ISOBMFF box ${type} at ${at} has a bad size`)
    boxes.push({ type, bodyStart: at + header, end: at + size })
    at += size
  }
  return boxes
}

function atMostOne(boxes: readonly Box[], type: string): Box | undefined {
  const found = boxes.filter((box) => box.type === type)
  if (found.length > 1) throw malformed(`HEIF meta has ${found.length} ${type} boxes`)
  return found[0]
}

/** A copy of the HEIC with the bytes of its Exif and XMP items set to zero, all else unchanged. */
export function stripHeic(bytes: Uint8Array): Uint8Array {
  const top = readBoxes(bytes, 0, bytes.length)
  if (top[0]?.type !== 'ftyp') throw malformed('HEIF does not start with ftyp')
  const metas = top.filter((box) => box.type === 'meta')
  if (metas.length !== 1) throw malformed(`HEIF has ${metas.length} top-level meta boxes`)
  const meta = metas[0]!
  // meta is a FullBox: version and flags come before its children.
  if (meta.bodyStart + 4 > meta.end) throw malformed('HEIF meta box cut off')
  const children = readBoxes(bytes, meta.bodyStart + 4, meta.end)
  const iinf = atMostOne(children, 'iinf')
  const iloc = atMostOne(children, 'iloc')
  const metadataItems = iinf === undefined ? new Set<number>() : metadataItemIds(bytes, iinf)
  const out = bytes.slice()
  if (metadataItems.size === 0) return out
  if (iloc === undefined) throw malformed('HEIF has metadata items but no iloc')
  const dataBoxes = top.filter((box) => box.type === 'mdat')
  for (const [start, end] of mergeRanges(metadataExtents(bytes, iloc, metadataItems))) {
    // Zeroing must never touch a box header, or the file would no longer parse the same way.
    const box = lastStartingBefore(dataBoxes, start)
    if (box === undefined || start < box.bodyStart || end > box.end) {
      throw malformed(`HEIF metadata at ${start}..${end} is not inside one mdat box`)
    }
    out.fill(0, start, end)
  }
  return out
}

/** Binary search in boxes sorted by position: thousands of ranges and boxes stay cheap. */
function lastStartingBefore(boxes: readonly Box[], position: number): Box | undefined {
  let low = 0
  let high = boxes.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if (boxes[middle]!.bodyStart <= position) low = middle + 1
    else high = middle
  }
  return boxes[low - 1]
}

/** IDs of items of type Exif, and of MIME items typed application/rdf+xml (XMP). */
function metadataItemIds(bytes: Uint8Array, iinf: Box): Set<number> {
  const version = u8(bytes, iinf.bodyStart)
  const entriesStart = iinf.bodyStart + 4 + (version === 0 ? 2 : 4) // after the entry count
  if (entriesStart > iinf.end) throw malformed('HEIF iinf cut off')
  const ids = new Set<number>()
  for (const infe of readBoxes(bytes, entriesStart, iinf.end)) {
    if (infe.type !== 'infe') continue
    const entryVersion = u8(bytes, infe.bodyStart)
    let at = infe.bodyStart + 4
    // item_ID, item_protection_index and, from version 2 on, item_type.
    const fixedSize = entryVersion < 2 ? 4 : entryVersion === 2 ? 8 : 10
    if (at + fixedSize > infe.end) throw malformed('HEIF infe cut off')
    if (entryVersion >= 2) {
      const id = entryVersion === 2 ? u16be(bytes, at) : u32be(bytes, at)
      at += (entryVersion === 2 ? 2 : 4) + 2
      const itemType = fourcc(bytes, at)
      if (itemType === 'Exif') ids.add(id)
      if (itemType === 'mime' && isXmp(contentType(bytes, at + 4, infe.end))) ids.add(id)
    } else {
      // Versions 0 and 1 have no item_type; every item is typed by its content_type.
      const id = u16be(bytes, at)
      if (isXmp(contentType(bytes, at + 4, infe.end))) ids.add(id)
    }
  }
  return ids
}

const isXmp = (contentType: string) =>
  contentType.split(';')[0]?.trim().toLowerCase() === 'application/rdf+xml'

/** The content_type that follows the NUL-terminated item_name starting at `nameStart`. */
function contentType(bytes: Uint8Array, nameStart: number, end: number): string {
  const nameLength = bytes.subarray(nameStart, end).indexOf(0)
  return nameLength < 0 ? '' : cString(bytes, nameStart + nameLength + 1, end)
}

/**
 * A NUL-terminated string, stopping at `end`; Latin-1 is enough to compare with ASCII. Only the
 * first 256 characters are read: a content type is short, and a huge box must not cost memory.
 */
function cString(bytes: Uint8Array, from: number, end: number): string {
  let text = ''
  for (let at = from; at < end && bytes[at] !== 0 && text.length < 256; at++) {
    text += String.fromCharCode(bytes[at]!)
  }
  return text
}

/**
 * File ranges [start, end) of the wanted items, read from an `iloc` of version 0, 1 or 2. Only
 * data in this file at absolute offsets (construction method 0, data reference 0) can be zeroed;
 * metadata anywhere else (idat, another item, another file) makes us turn the photo away rather
 * than store it with its metadata.
 */
function metadataExtents(bytes: Uint8Array, iloc: Box, wanted: Set<number>): [number, number][] {
  const version = u8(bytes, iloc.bodyStart)
  if (version > 2) throw malformed(`HEIF iloc version ${version} not supported`)
  const cursor = new Cursor(bytes, iloc.bodyStart + 4, iloc.end)
  const sizes = cursor.read(1)
  const moreSizes = cursor.read(1)
  const offsetSize = sizes >> 4
  const lengthSize = sizes & 0xf
  const baseOffsetSize = moreSizes >> 4
  const indexSize = version === 0 ? 0 : moreSizes & 0xf
  for (const size of [offsetSize, lengthSize, baseOffsetSize, indexSize]) {
    if (size !== 0 && size !== 4 && size !== 8) throw malformed(`HEIF iloc field size ${size}`)
  }
  const extentSize = indexSize + offsetSize + lengthSize
  const itemCount = cursor.read(version < 2 ? 2 : 4)
  const ranges: [number, number][] = []
  // Every item takes at least six bytes of the box, so a lying count ends at the box's end.
  for (let i = 0; i < itemCount; i++) {
    const id = cursor.read(version < 2 ? 2 : 4)
    const constructionMethod = version === 0 ? 0 : cursor.read(2) & 0xf
    const dataReference = cursor.read(2)
    const baseOffset = cursor.read(baseOffsetSize)
    const extentCount = cursor.read(2)
    if (!wanted.has(id)) {
      cursor.skip(extentCount * extentSize)
      continue
    }
    if (constructionMethod !== 0 || dataReference !== 0) {
      throw malformed(`HEIF metadata item ${id} is not stored at a file offset`)
    }
    // Zero-size fields would let 65535 extents cost no bytes; more than one such is nonsense.
    if (extentSize === 0 && extentCount > 1) throw malformed('HEIF iloc extents without fields')
    for (let e = 0; e < extentCount; e++) {
      cursor.skip(indexSize)
      const start = baseOffset + cursor.read(offsetSize)
      const length = cursor.read(lengthSize)
      const end = length === 0 ? bytes.length : start + length // 0 means "to the end"
      if (start > bytes.length || end > bytes.length) {
        throw malformed(`HEIF metadata item ${id} lies outside the file`)
      }
      ranges.push([start, end])
    }
  }
  return ranges
}

/** Sorted, non-overlapping ranges, so zeroing costs at most one pass over the file. */
function mergeRanges(ranges: [number, number][]): [number, number][] {
  const merged: [number, number][] = []
  for (const [start, end] of [...ranges].sort((a, b) => a[0] - b[0])) {
    const last = merged.at(-1)
    if (last !== undefined && start <= last[1]) last[1] = Math.max(last[1], end)
    else merged.push([start, end])
  }
  return merged
}

/** Big-endian fields of 0, 1, 2, 4 or 8 bytes, never past `end`. */
class Cursor {
  constructor(
    private readonly bytes: Uint8Array,
    private at: number,
    private readonly end: number,
  ) {}

  read(size: number): number {
    if (this.at + size > this.end) throw malformed('HEIF iloc cut off')
    const at = this.at
    this.at += size
    switch (size) {
      case 0:
        return 0
      case 1:
        return u8(this.bytes, at)
      case 2:
        return u16be(this.bytes, at)
      case 4:
        return u32be(this.bytes, at)
      default:
        return u64be(this.bytes, at)
    }
  }

  skip(count: number): void {
    if (this.at + count > this.end) throw malformed('HEIF iloc cut off')
    this.at += count
  }
}
