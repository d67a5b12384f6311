import { describe, expect, it } from 'vitest'
import { stripMetadata } from '../../api/photos/strip.ts'
import {
  ascii,
  box,
  bytesOf,
  cameraCanary,
  contains,
  fullBox,
  heic,
  type HeicOptions,
  u16be,
  u32be,
  rejectionOf,
  locationText,
  udtaLocationBox,
  uuidXmpBox,
  xmpPacket,
  xmpUuid,
} from './photos-fixtures.ts'

const strip = (bytes: Uint8Array) => stripMetadata(bytes, 'image/heic')

const rejection = (bytes: Uint8Array) => rejectionOf(bytes, 'image/heic')

/** Positions where the two arrays differ. */
function changedPositions(before: Uint8Array, after: Uint8Array): number[] {
  expect(after.length).toBe(before.length)
  const changed: number[] = []
  for (let i = 0; i < before.length; i++) if (before[i] !== after[i]) changed.push(i)
  return changed
}

const isInside = (ranges: [number, number][]) => (position: number) =>
  ranges.some(([start, end]) => position >= start && position < end)

describe('HEIC boxes outside the image items', () => {
  it('turns a top-level uuid (XMP) and udta (location) box into free boxes of zeros', () => {
    const photo = heic({
      exif: true,
      xmp: true,
      boxesBeforeMdat: [uuidXmpBox()],
      boxesAfterMdat: [udtaLocationBox()],
    })
    for (const leak of [xmpPacket, xmpUuid, locationText])
      expect(contains(photo.bytes, leak)).toBe(true)
    const out = strip(photo.bytes)
    expect(boxesIn(out).map((box) => box.type)).toEqual(['ftyp', 'meta', 'free', 'mdat'])
    for (const leak of [xmpPacket, xmpUuid, locationText, ascii('udta'), ascii('uuid')]) {
      expect(contains(out, leak)).toBe(false)
    }
    for (const box of boxesIn(out).filter((box) => box.type === 'free')) {
      expect(out.subarray(box.start + 8, box.end).every((byte) => byte === 0)).toBe(true)
    }
    // Nothing moved: the picture is where iloc says, byte for byte; only the udta after it went.
    expect(out.length).toBe(photo.bytes.length - udtaLocationBox().length)
    expect(out.subarray(...photo.image)).toEqual(photo.bytes.subarray(...photo.image))
    expect(strip(out)).toEqual(out)
  })

  it("drops a motion photo's video appended after the picture, with its own metadata", () => {
    const video = box('mpvd', box('ftyp', ascii('mp42')), box('moov', udtaLocationBox()))
    const still = heic({ exif: true })
    const out = strip(bytesOf(still.bytes, video))
    expect(out).toEqual(strip(still.bytes))
    expect(contains(out, locationText)).toBe(false)
  })

  it('zeroes what free boxes held and any box of meta that is not about the items', () => {
    const leftover = box('free', cameraCanary) // what editors leave when they rewrite metadata
    const photo = heic({
      exif: true,
      boxesBeforeMdat: [leftover, box('meco', box('xml ', xmpPacket))],
      metaBoxes: [fullBox('xml ', 0, xmpPacket), fullBox('bxml', 0, cameraCanary)],
    })
    const out = strip(photo.bytes)
    expect(contains(out, cameraCanary)).toBe(false)
    expect(contains(out, xmpPacket)).toBe(false)
    const meta = boxesIn(out).find((box) => box.type === 'meta')!
    const metaChildren = boxesIn(out, meta.start + 12, meta.end).map((box) => box.type)
    expect(metaChildren).toEqual(['hdlr', 'pitm', 'iinf', 'iloc', 'iprp', 'free', 'free'])
    expect(out.subarray(...photo.image)).toEqual(photo.bytes.subarray(...photo.image))
  })

  it('zeroes descriptive item properties in place, keeping the property indices', () => {
    const description = fullBox('udes', 0, ascii('zh\0'), cameraCanary, [0, 0, 0])
    const photo = heic({ properties: [description, box('uuid', xmpUuid, xmpPacket)] })
    const out = strip(photo.bytes)
    expect(contains(out, cameraCanary)).toBe(false)
    expect(contains(out, xmpPacket)).toBe(false)
    expect(out.length).toBe(photo.bytes.length)
    // The ispe stays property 1, where ipma points.
    expect(contains(out, bytesOf(ascii('ispe'), [0, 0, 0, 0], u32be(64), u32be(48)))).toBe(true)
  })

  it('refuses item data that lies outside an mdat box, which zeroing could hit', () => {
    const photo = heic({ exif: true })
    const mdat = indexOfType(photo.bytes, 'mdat')
    const moved = photo.bytes.slice()
    moved.set(ascii('uuid'), mdat) // the same bytes, no longer an mdat
    expect(rejection(moved).detail).toContain('not inside one mdat box')
  })
})

describe('HEIC image sequences', () => {
  const sequences: Record<string, HeicOptions> = {
    'major brand msf1': { brands: ['msf1', 'mif1', 'heic'] },
    'compatible brand msf1 only': { brands: ['heic', 'mif1', 'msf1'] },
    'compatible brand hevc only': { brands: ['mif1', 'heic', 'hevc'] },
    'AVC sequence brand': { brands: ['mif1', 'heic', 'avcs'] },
    'a moov box': { boxesAfterMdat: [box('moov', fullBox('mvhd', 0, new Uint8Array(96)))] },
  }

  it('refuses bursts, live photos and videos, saying how to send one picture', () => {
    for (const [name, options] of Object.entries(sequences)) {
      const error = rejection(heic(options).bytes)
      expect(error.reason, name).toBe('image_sequence')
      expect(error.message, name).toBe(
        '照片是连拍、动态照片或视频，不是单张照片。请在手机相机设置中改为拍摄单张照片，或截图后上传。',
      )
    }
  })

  it('takes the still-image brands, heis and heix included', () => {
    for (const brands of [
      ['heic', 'mif1'],
      ['mif1', 'heix'],
      ['heis', 'mif1', 'miaf'],
    ]) {
      expect(strip(heic({ brands }).bytes).length).toBeGreaterThan(0)
    }
  })
})

describe('HEIC metadata stripping', () => {
  it('zeroes the bytes of an Exif item and leaves every other byte unchanged', () => {
    const photo = heic({ exif: true })
    const out = strip(photo.bytes)
    const [exif] = photo.metadata
    expect(out.subarray(...exif!).every((byte) => byte === 0)).toBe(true)
    expect(changedPositions(photo.bytes, out).every(isInside(photo.metadata))).toBe(true)
    expect(contains(out, cameraCanary)).toBe(false)
    expect(out.subarray(...photo.image)).toEqual(photo.bytes.subarray(...photo.image))
  })

  it('zeroes an XMP item (a mime item of type application/rdf+xml) too', () => {
    const photo = heic({ exif: true, xmp: true })
    const out = strip(photo.bytes)
    expect(photo.metadata).toHaveLength(2)
    for (const range of photo.metadata) {
      expect(out.subarray(...range).every((byte) => byte === 0)).toBe(true)
    }
    expect(changedPositions(photo.bytes, out).every(isInside(photo.metadata))).toBe(true)
  })

  it('reads every iloc layout: versions 0, 1 and 2, 32- and 64-bit fields, base offsets', () => {
    const layouts: HeicOptions[] = [
      { ilocVersion: 1, offsetSize: 8 },
      { ilocVersion: 2, baseOffsetSize: 4 },
      { ilocVersion: 1, offsetSize: 8, baseOffsetSize: 8 },
      { mdatSize: 'large' },
      { mdatSize: 'to-end' },
    ]
    for (const layout of layouts) {
      const photo = heic({ exif: true, xmp: true, ...layout })
      const out = strip(photo.bytes)
      const name = JSON.stringify(layout)
      expect(contains(out, cameraCanary), name).toBe(false)
      expect(changedPositions(photo.bytes, out).every(isInside(photo.metadata)), name).toBe(true)
    }
  })

  it('returns a copy equal to the input when there is no metadata', () => {
    const photo = heic()
    const out = strip(photo.bytes)
    expect(out).toEqual(photo.bytes)
    expect(out).not.toBe(photo.bytes)
  })

  it('gives the same bytes when stripped twice', () => {
    const once = strip(heic({ exif: true, xmp: true }).bytes)
    expect(strip(once)).toEqual(once)
  })

  it('refuses metadata it cannot locate in the file rather than store it', () => {
    const inIdat = heic({ exif: true, ilocVersion: 1, metadataConstruction: 1 })
    expect(rejection(inIdat.bytes).detail).toContain('not stored at a file offset')
    const photo = heic({ exif: true })
    const iloc = indexOfType(photo.bytes, 'iloc')
    const future = photo.bytes.slice()
    future[iloc + 4] = 3 // iloc version 3 does not exist
    expect(rejection(future).detail).toContain('iloc version')
  })

  it('rejects a HEIC cut off anywhere as malformed', () => {
    const { bytes } = heic({ exif: true, xmp: true })
    for (let length = 16; length < bytes.length; length++) {
      expect(rejection(bytes.subarray(0, length)).reason).toBe('malformed')
    }
  })

  it('rejects structural lies as malformed', () => {
    const photo = heic({ exif: true })
    const ftypEnd = new DataView(photo.bytes.buffer).getUint32(0)
    const ftyp = photo.bytes.subarray(0, ftypEnd)
    const meta = photo.bytes.subarray(ftypEnd, indexOfType(photo.bytes, 'mdat') - 4)
    const withMdatSize = (size: number) => {
      const bytes = photo.bytes.slice()
      bytes.set(u32be(size), indexOfType(bytes, 'mdat') - 4)
      return bytes
    }
    const badIlocExtent = photo.bytes.slice()
    // The Exif item's extent length (last field of iloc) made to run past the end of the file.
    const ilocEnd = indexOfType(photo.bytes, 'mdat') - 4
    badIlocExtent.set(u32be(0x00ffffff), ilocEnd - 4)
    const cases = {
      'box larger than the file': withMdatSize(photo.bytes.length),
      'box smaller than its header': withMdatSize(4),
      'trailing bytes too few for a box': bytesOf(photo.bytes, [0, 0, 0]),
      'no meta box': bytesOf(ftyp, box('mdat', [1, 2, 3])),
      'two meta boxes': bytesOf(ftyp, meta, meta),
      'two iloc boxes': bytesOf(
        ftyp,
        fullBox(
          'meta',
          0,
          fullBox('iloc', 0, [0x44, 0], u16be(0)),
          fullBox('iloc', 0, [0x44, 0], u16be(0)),
        ),
      ),
      'Exif item but no iloc': bytesOf(
        ftyp,
        fullBox(
          'meta',
          0,
          fullBox('iinf', 0, u16be(1), fullBox('infe', 2, u16be(2), u16be(0), ascii('Exif\0'))),
        ),
      ),
      'extent outside the file': badIlocExtent,
      'does not start with ftyp': bytesOf(meta, ftyp),
    }
    for (const [name, bytes] of Object.entries(cases)) {
      expect(rejection(bytes).reason, name).toBe('malformed')
    }
  })
})

/** Type and [start, end) of the boxes laid end to end in bytes[from, to). */
function boxesIn(bytes: Uint8Array, from = 0, to = bytes.length) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const boxes: { type: string; start: number; end: number }[] = []
  for (let at = from; at < to;) {
    const size = view.getUint32(at) || to - at
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8))
    boxes.push({ type, start: at, end: at + size })
    at += size
  }
  return boxes
}

function indexOfType(bytes: Uint8Array, type: string): number {
  const needle = ascii(type)
  for (let i = 0; i + 4 <= bytes.length; i++) {
    if (needle.every((byte, j) => bytes[i + j] === byte)) return i
  }
  throw new Error(`no ${type} in fixture`)
}
