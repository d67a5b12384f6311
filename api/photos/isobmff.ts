import { fourcc, u32be, u64be } from './bytes.ts'
import { malformed } from './errors.ts'

// The box structure of ISOBMFF (ISO/IEC 14496-12 section 4.2), which HEIF files are made of.

export interface Box {
  type: string
  /** Position of the box's first byte (its size field). */
  start: number
  /** First byte after the size and type fields (and largesize): where blanking starts. */
  fieldsEnd: number
  /** First byte after the header (size, type, largesize, uuid usertype). */
  bodyStart: number
  end: number
}

/** The boxes laid end to end between `from` and `to`, which must tile the range exactly. */
export function readBoxes(bytes: Uint8Array, from: number, to: number): Box[] {
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
    const fieldsEnd = at + header
    if (type === 'uuid') header += 16
    if (size < header || at + size > to)
      throw malformed(`ISOBMFF box ${type} at ${at} has a bad size`)
    boxes.push({ type, start: at, fieldsEnd, bodyStart: at + header, end: at + size })
    at += size
  }
  return boxes
}

export function atMostOne(boxes: readonly Box[], type: string, where: string): Box | undefined {
  const found = boxes.filter((box) => box.type === type)
  if (found.length > 1) throw malformed(`${where} has ${found.length} ${type} boxes`)
  return found[0]
}

const free = Uint8Array.of(0x66, 0x72, 0x65, 0x65) // "free"

/**
 * Turns a box into a `free` box of the same size with a body of zeros. Readers skip free boxes
 * (14496-12 section 8.1.2), and every size and offset in the file stays what it was, so item
 * locations still point at the same bytes. A second pass changes nothing.
 */
export function blankBox(out: Uint8Array, box: Box): void {
  out.set(free, box.start + 4)
  out.fill(0, box.fieldsEnd, box.end)
}

/** Binary search in boxes sorted by position: thousands of ranges and boxes stay cheap. */
export function lastStartingBefore(boxes: readonly Box[], position: number): Box | undefined {
  let low = 0
  let high = boxes.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if (boxes[middle]!.bodyStart <= position) low = middle + 1
    else high = middle
  }
  return boxes[low - 1]
}
