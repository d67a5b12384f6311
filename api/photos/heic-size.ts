import { u16be, u32be, u8 } from './bytes.ts'
import { checkDimensions, checkTotalPixels } from './dimensions.ts'
import { malformed } from './errors.ts'
import type { ItemInfo, ItemLocation } from './heic-items.ts'
import { hvccPictureSizes } from './hevc.ts'
import { atMostOne, type Box, readBoxes } from './isobmff.ts'

// A HEIF states every image item's size in an `ispe` property (ISO/IEC 23008-12 section 6.5.3,
// mandatory for image items), an HEVC item's decoder reads it again from the SPS in its `hvcC`,
// and a grid or overlay item states the canvas it draws its tiles on in its own data (section
// 6.6.2.3). A decoder allocates from these before it decodes, so they are what the pixel caps
// are checked against, together with the sum over all items: 256 tiles of 8,000 × 8,000 would
// each pass, and decoding them all would not.

interface Meta {
  children: readonly Box[]
  items: ReadonlyMap<number, ItemInfo>
  locations: ReadonlyMap<number, ItemLocation>
}

/** Throws PhotoRejected when the HEIF's sizes are unknown, malformed or beyond the caps. */
export function checkHeicSize(bytes: Uint8Array, meta: Meta): void {
  const primary = primaryItem(bytes, meta.children)
  const iprp = atMostOne(meta.children, 'iprp', 'HEIF meta')
  if (iprp === undefined) throw malformed('HEIF has no item properties (iprp)')
  const iprpChildren = readBoxes(bytes, iprp.bodyStart, iprp.end)
  const ipco = atMostOne(iprpChildren, 'ipco', 'HEIF iprp')
  if (ipco === undefined) throw malformed('HEIF has no property container (ipco)')
  // Property indices in ipma count from 1 in the order of ipco's children.
  const properties = readBoxes(bytes, ipco.bodyStart, ipco.end)
  const areas = properties.map((property) => propertyArea(bytes, property))
  const itemAreas = new Map<number, number>()
  const sizedItems = new Set<number>()
  for (const ipma of iprpChildren.filter((box) => box.type === 'ipma')) {
    for (const [item, indices] of associations(bytes, ipma)) {
      for (const index of indices) {
        const area = areas[index - 1]
        if (area === undefined) continue
        itemAreas.set(item, Math.max(area, itemAreas.get(item) ?? 0))
        if (properties[index - 1]!.type === 'ispe') sizedItems.add(item)
      }
    }
  }
  if (!sizedItems.has(primary)) throw malformed(`HEIF primary item ${primary} has no ispe`)
  let total = 0
  for (const area of itemAreas.values()) total += area
  checkTotalPixels(total, 'HEIF items')
  for (const [id, item] of meta.items) {
    if (item.type === 'grid' || item.type === 'iovl') checkCanvas(bytes, meta, id, item.type)
  }
}

function primaryItem(bytes: Uint8Array, children: readonly Box[]): number {
  const pitm = atMostOne(children, 'pitm', 'HEIF meta')
  if (pitm === undefined) throw malformed('HEIF has no primary item (pitm)')
  const version = u8(bytes, pitm.bodyStart)
  const reader = new BoxReader(bytes, pitm, pitm.bodyStart + 4)
  return version === 0 ? reader.u16() : reader.u32()
}

/**
 * The pixels a property makes a decoder allocate, checked against the caps: the size an `ispe`
 * states, or the largest picture an `hvcC`'s SPS asks for; undefined for other properties.
 */
function propertyArea(bytes: Uint8Array, property: Box): number | undefined {
  if (property.type === 'ispe') {
    const reader = new BoxReader(bytes, property, property.bodyStart + 4)
    const width = reader.u32()
    const height = reader.u32()
    checkDimensions(width, height, 'HEIF ispe')
    return width * height
  }
  if (property.type === 'hvcC') {
    let largest = 0
    for (const [width, height] of hvccPictureSizes(bytes, property.bodyStart, property.end)) {
      checkDimensions(width, height, 'HEVC SPS')
      largest = Math.max(largest, width * height)
    }
    return largest
  }
  return undefined
}

/** Each item's property indices from an `ipma` box (ISO/IEC 23008-12 section 9.3). */
function associations(bytes: Uint8Array, ipma: Box): [number, number[]][] {
  const version = u8(bytes, ipma.bodyStart)
  const wideIndices = (u8(bytes, ipma.bodyStart + 3) & 1) === 1
  const reader = new BoxReader(bytes, ipma, ipma.bodyStart + 4)
  const entryCount = reader.u32()
  const entries: [number, number[]][] = []
  // Every entry takes at least three bytes, so a lying count ends at the box's end.
  for (let i = 0; i < entryCount; i++) {
    const item = version < 1 ? reader.u16() : reader.u32()
    const count = reader.u8()
    const indices: number[] = []
    for (let j = 0; j < count; j++) {
      indices.push(wideIndices ? reader.u16() & 0x7fff : reader.u8() & 0x7f)
    }
    entries.push([item, indices])
  }
  return entries
}

/**
 * The output size of a grid (ImageGrid) or overlay (ImageOverlay) item, read from its data:
 * version, flags, then for a grid the rows and columns, for an overlay four fill values, then
 * width and height in 16 or 32 bits (flags bit 0).
 */
function checkCanvas(bytes: Uint8Array, meta: Meta, id: number, type: string): void {
  const location = meta.locations.get(id)
  const first = location?.extents[0]
  if (location === undefined || first === undefined) throw malformed(`HEIF ${type} has no data`)
  let [start, end] = first
  if (location.dataReference !== 0) throw malformed(`HEIF ${type} data is in another file`)
  if (location.constructionMethod === 1) {
    const idat = atMostOne(meta.children, 'idat', 'HEIF meta')
    if (idat === undefined) throw malformed(`HEIF ${type} data is in a missing idat`)
    start += idat.bodyStart
    end = Math.min(end + idat.bodyStart, idat.end)
  } else if (location.constructionMethod !== 0) {
    throw malformed(`HEIF ${type} data is inside another item`)
  }
  const data: Box = { type, start, fieldsEnd: start, bodyStart: start, end }
  const reader = new BoxReader(bytes, data, start)
  reader.skip(1) // version
  const flags = reader.u8()
  reader.skip(type === 'grid' ? 2 : 8)
  const width = flags & 1 ? reader.u32() : reader.u16()
  const height = flags & 1 ? reader.u32() : reader.u16()
  checkDimensions(width, height, `HEIF ${type} canvas`)
}

/** Big-endian fields read in order, never past the end of the box they belong to. */
class BoxReader {
  constructor(
    private readonly bytes: Uint8Array,
    private readonly box: Box,
    private at: number,
  ) {}

  private take(size: number): number {
    if (this.at + size > this.box.end) throw malformed(`HEIF ${this.box.type} cut off`)
    const at = this.at
    this.at += size
    return at
  }

  skip(size: number): void {
    this.take(size)
  }

  u8(): number {
    return u8(this.bytes, this.take(1))
  }

  u16(): number {
    return u16be(this.bytes, this.take(2))
  }

  u32(): number {
    return u32be(this.bytes, this.take(4))
  }
}
