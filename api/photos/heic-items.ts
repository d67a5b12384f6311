import { fourcc, u16be, u32be, u64be, u8 } from './bytes.ts'
import { malformed } from './errors.ts'
import { type Box, readBoxes } from './isobmff.ts'

// The items of a HEIF `meta` box (ISO/IEC 23008-12, 14496-12 section 8.11): `iinf` names each
// item and its type, `iloc` says where its bytes are.

export interface ItemInfo {
  /** item_type ("hvc1", "grid", "Exif", "mime"); "" for infe versions 0 and 1, which have none. */
  type: string
  /** content_type of a mime item (and of every version 0 or 1 entry), lower-cased. */
  contentType: string
}

export function readItemInfos(bytes: Uint8Array, iinf: Box): Map<number, ItemInfo> {
  const version = u8(bytes, iinf.bodyStart)
  const entriesStart = iinf.bodyStart + 4 + (version === 0 ? 2 : 4) // after the entry count
  if (entriesStart > iinf.end) throw malformed('HEIF iinf cut off')
  const items = new Map<number, ItemInfo>()
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
      const type = fourcc(bytes, at)
      const mime = type === 'mime' ? contentType(bytes, at + 4, infe.end) : ''
      items.set(id, { type, contentType: mime })
    } else {
      // Versions 0 and 1 have no item_type; every item is typed by its content_type.
      items.set(u16be(bytes, at), { type: '', contentType: contentType(bytes, at + 4, infe.end) })
    }
  }
  return items
}

/** IDs of items of type Exif, and of MIME items typed application/rdf+xml (XMP). */
export function metadataItemIds(items: ReadonlyMap<number, ItemInfo>): Set<number> {
  const ids = new Set<number>()
  for (const [id, item] of items) {
    const isXmp = item.contentType.split(';')[0]?.trim() === 'application/rdf+xml'
    if (item.type === 'Exif' || isXmp) ids.add(id)
  }
  return ids
}

/** The content_type that follows the NUL-terminated item_name starting at `nameStart`. */
function contentType(bytes: Uint8Array, nameStart: number, end: number): string {
  const nameLength = bytes.subarray(nameStart, end).indexOf(0)
  return nameLength < 0 ? '' : cString(bytes, nameStart + nameLength + 1, end).toLowerCase()
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

export interface ItemLocation {
  /** 0: at file offsets; 1: inside the `idat` box; 2: inside another item. */
  constructionMethod: number
  /** 0: this file; anything else: a file named in `dinf`. */
  dataReference: number
  /**
   * Ranges [start, end): in the file (method 0, checked to lie in it) or in idat's body (method
   * 1, not checked); `end` is Infinity for "to the end" of anything but this file.
   */
  extents: [number, number][]
}

/** Every item's location, read from an `iloc` of version 0, 1 or 2. */
export function readItemLocations(bytes: Uint8Array, iloc: Box): Map<number, ItemLocation> {
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
  const locations = new Map<number, ItemLocation>()
  // Every item takes at least six bytes of the box, so a lying count ends at the box's end.
  for (let i = 0; i < itemCount; i++) {
    const id = cursor.read(version < 2 ? 2 : 4)
    const constructionMethod = version === 0 ? 0 : cursor.read(2) & 0xf
    const dataReference = cursor.read(2)
    const baseOffset = cursor.read(baseOffsetSize)
    const extentCount = cursor.read(2)
    // Zero-size fields would let 65535 extents cost no bytes; more than one such is nonsense.
    if (extentSize === 0 && extentCount > 1) throw malformed('HEIF iloc extents without fields')
    const extents: [number, number][] = []
    for (let e = 0; e < extentCount; e++) {
      cursor.skip(indexSize)
      const start = baseOffset + cursor.read(offsetSize)
      const length = cursor.read(lengthSize)
      const inThisFile = constructionMethod === 0 && dataReference === 0
      // Length 0 means "to the end": of this file, or of whatever the caller resolves it in.
      const end = length !== 0 ? start + length : inThisFile ? bytes.length : Infinity
      if (inThisFile && (start > bytes.length || end > bytes.length)) {
        throw malformed(`HEIF item ${id} lies outside the file`)
      }
      extents.push([start, end])
    }
    if (locations.has(id)) throw malformed(`HEIF iloc lists item ${id} twice`)
    locations.set(id, { constructionMethod, dataReference, extents })
  }
  return locations
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
