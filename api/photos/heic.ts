import { fourcc } from './bytes.ts'
import { imageSequence, malformed } from './errors.ts'
import {
  type ItemInfo,
  type ItemLocation,
  metadataItemIds,
  readItemInfos,
  readItemLocations,
} from './heic-items.ts'
import { checkHeicSize } from './heic-size.ts'
import { atMostOne, blankBox, type Box, lastStartingBefore, readBoxes } from './isobmff.ts'

// A HEIF (ISO/IEC 23008-12) still image needs only `ftyp`, one `meta` (which describes the
// items and where their bytes are) and the `mdat` boxes holding those bytes. Everything else is
// at best ignored by decoders and at worst carries what we promise to remove: XMP in a top-level
// `uuid` box, an ISO 6709 location (`©xyz`) in `udta`, leftovers of earlier metadata in `free`.
//
// Nothing is removed, only overwritten, so every offset in `iloc` stays valid and the picture is
// untouched: a box we do not keep becomes a `free` box of zeros of the same size, and the bytes
// of Exif and XMP items are set to zero (the emptied items stay listed, which says "there was
// metadata" and nothing more). Item data must lie inside an mdat box (where encoders put it), so
// overwriting never touches data a decoder reads, and a second pass gives the same bytes.

/** Top-level boxes kept as they are; any other becomes a free box of zeros. */
const keptTopLevel = new Set(['ftyp', 'meta', 'mdat'])

/** Boxes of `meta` kept as they are; others (`xml `, `bxml`, `uuid`, `free`...) are zeroed. */
const keptInMeta = new Set(['hdlr', 'pitm', 'iloc', 'iinf', 'iref', 'iprp', 'idat', 'dinf', 'grpl'])

/**
 * Item properties that describe rather than draw: user description (`udes`: name, description,
 * tags), creation and modification times, vendor `uuid` boxes. Zeroed in place, so the property
 * indices in `ipma` still count the same boxes; they are never essential to decoding.
 */
const zeroedProperties = new Set(['udes', 'crtt', 'mdft', 'uuid', 'free', 'skip'])

/**
 * Brands of image sequences (23008-12 annex B: `msf1`, and `hevc`, `hevx`, `hevm`, `hevs` for
 * the HEVC profiles; 14496-15 `avcs`): bursts, live photos and videos. `heic`, `heix`, `heim`
 * and `heis` are still-image brands and stay welcome.
 */
const sequenceBrands = new Set(['msf1', 'hevc', 'hevx', 'hevm', 'hevs', 'avcs'])

/**
 * A copy of the HEIC with every box outside the image items turned into zeros (or dropped from
 * the end), and the bytes of
 * its Exif and XMP items set to zero, all else unchanged. Sequences are refused, and so are
 * pictures beyond the pixel caps (checked from `ispe` and grid headers before any change).
 */
export function stripHeic(bytes: Uint8Array): Uint8Array {
  const top = readBoxes(bytes, 0, bytes.length)
  const ftyp = top[0]
  if (ftyp?.type !== 'ftyp') throw malformed('HEIF does not start with ftyp')
  atMostOne(top, 'ftyp', 'HEIF')
  refuseSequences(bytes, ftyp, top)
  const metas = top.filter((box) => box.type === 'meta')
  if (metas.length !== 1) throw malformed(`HEIF has ${metas.length} top-level meta boxes`)
  const meta = metas[0]!
  // meta is a FullBox: version and flags come before its children.
  if (meta.bodyStart + 4 > meta.end) throw malformed('HEIF meta box cut off')
  const children = readBoxes(bytes, meta.bodyStart + 4, meta.end)
  const iinf = atMostOne(children, 'iinf', 'HEIF meta')
  const iloc = atMostOne(children, 'iloc', 'HEIF meta')
  const items = iinf === undefined ? new Map<number, ItemInfo>() : readItemInfos(bytes, iinf)
  const locations =
    iloc === undefined ? new Map<number, ItemLocation>() : readItemLocations(bytes, iloc)
  checkHeicSize(bytes, { children, items, locations })
  checkItemData(top, locations)

  // Boxes after the last kept one are dropped rather than zeroed: no item's data lies there, so
  // no offset changes, and a Samsung motion photo's video (a top-level `mpvd` box of several MB,
  // with its own metadata) is not stored as megabytes of zeros.
  // A loop, not Math.max(...): a file may hold a hundred thousand boxes.
  let keptEnd = 0
  for (const box of top) if (keptTopLevel.has(box.type)) keptEnd = Math.max(keptEnd, box.end)
  const out = bytes.slice(0, keptEnd)
  for (const box of top) {
    if (!keptTopLevel.has(box.type) && box.end <= keptEnd) blankBox(out, box)
  }
  for (const box of children) if (!keptInMeta.has(box.type)) blankBox(out, box)
  for (const property of properties(bytes, children)) {
    if (zeroedProperties.has(property.type)) blankBox(out, property)
  }
  const metadataItems = metadataItemIds(items)
  if (metadataItems.size === 0) return out
  if (iloc === undefined) throw malformed('HEIF has metadata items but no iloc')
  for (const [start, end] of mergeRanges(metadataExtents(locations, metadataItems))) {
    out.fill(0, start, end)
  }
  return out
}

/** Bursts, live photos and videos come as sequences: a sequence brand or a `moov` box. */
function refuseSequences(bytes: Uint8Array, ftyp: Box, top: readonly Box[]): void {
  // major_brand, minor_version, then compatible brands to the end of the box.
  for (let at = ftyp.bodyStart; at + 4 <= ftyp.end; at += at === ftyp.bodyStart ? 8 : 4) {
    const brand = fourcc(bytes, at)
    if (sequenceBrands.has(brand)) throw imageSequence(`HEIF has the sequence brand ${brand}`)
  }
  if (top.some((box) => box.type === 'moov')) throw imageSequence('HEIF has a moov box')
}

/** The boxes in `iprp`'s `ipco`, if there is one; checkHeicSize has read them once already. */
function properties(bytes: Uint8Array, metaChildren: readonly Box[]): Box[] {
  const iprp = metaChildren.find((box) => box.type === 'iprp')
  if (iprp === undefined) return []
  const ipco = readBoxes(bytes, iprp.bodyStart, iprp.end).find((box) => box.type === 'ipco')
  return ipco === undefined ? [] : readBoxes(bytes, ipco.bodyStart, ipco.end)
}

/**
 * Every item stored at file offsets must have its bytes inside one mdat box: then zeroing the
 * other boxes never touches them, and zeroing metadata never touches a box header.
 */
function checkItemData(top: readonly Box[], locations: ReadonlyMap<number, ItemLocation>): void {
  const dataBoxes = top.filter((box) => box.type === 'mdat')
  for (const [id, location] of locations) {
    if (location.dataReference !== 0) throw malformed(`HEIF item ${id} is in another file`)
    if (location.constructionMethod !== 0) continue
    for (const [start, end] of location.extents) {
      if (start === end) continue
      const box = lastStartingBefore(dataBoxes, start)
      if (box === undefined || start < box.bodyStart || end > box.end) {
        throw malformed(`HEIF item ${id} at ${start}..${end} is not inside one mdat box`)
      }
    }
  }
}

/**
 * File ranges of the metadata items. Only data in this file at absolute offsets (construction
 * method 0) can be zeroed; metadata anywhere else (idat, another item) makes us turn the photo
 * away rather than store it with its metadata.
 */
function metadataExtents(
  locations: ReadonlyMap<number, ItemLocation>,
  wanted: ReadonlySet<number>,
): [number, number][] {
  const ranges: [number, number][] = []
  for (const id of wanted) {
    const location = locations.get(id)
    if (location === undefined) continue
    if (location.constructionMethod !== 0) {
      throw malformed(`HEIF metadata item ${id} is not stored at a file offset`)
    }
    // A loop, not push(...extents): an item may have 65,535 extents, too many arguments.
    for (const extent of location.extents) ranges.push(extent)
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
