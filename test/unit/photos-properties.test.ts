import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { acceptPhotos } from '../../api/photos/accept.ts'
import { maxPhotoPixels, maxPhotoSide } from '../../api/photos/dimensions.ts'
import { PhotoRejected } from '../../api/photos/errors.ts'
import {
  ascii,
  box,
  bytesOf,
  contains,
  exifTiff,
  fullBox,
  heic,
  jpeg,
  png,
  pngSignature,
  riff,
  riffChunk,
  u16be,
  u32be,
  udtaLocationBox,
  uuidXmpBox,
  vp8l,
  vp8x,
  webp,
} from './photos-fixtures.ts'

const realFiles = ['camera-gps.jpg', 'camera-gps.png', 'camera-gps.webp', 'camera-gps.heic'].map(
  (file) => new Uint8Array(readFileSync(new URL(`../fixtures/photos/${file}`, import.meta.url))),
)

const validPhotos = [
  jpeg({ exif: exifTiff({ orientation: 6 }), xmp: true, icc: true, adobe: true }).bytes,
  jpeg({ progressive: true, comment: true, trailer: jpeg().bytes }).bytes,
  png({ text: true, exif: true, time: true, vendor: true }).bytes,
  webp({ exif: true, xmp: true, icc: true }).bytes,
  heic({ exif: true, xmp: true }).bytes,
  heic({ exif: true, ilocVersion: 1, offsetSize: 8, baseOffsetSize: 4, mdatSize: 'large' }).bytes,
  heic({ xmp: true, ilocVersion: 2, mdatSize: 'to-end' }).bytes,
  heic({
    exif: true,
    gridCanvas: [4032, 3024],
    tiles: { count: 48, size: [512, 512] },
    boxesBeforeMdat: [uuidXmpBox()],
    boxesAfterMdat: [udtaLocationBox()],
  }).bytes,
  ...realFiles,
]

/**
 * Runs acceptPhotos and fails on anything but a result or a PhotoRejected. What is accepted must
 * be accepted again unchanged: stripping produced a file our own checks call sound.
 */
function acceptOrReject(bytes: Uint8Array): void {
  let stored: Uint8Array
  try {
    const [accepted] = acceptPhotos([{ name: 'x', declaredType: 'image/jpeg', bytes }])
    if (accepted === undefined) return // an empty file
    stored = accepted.bytes
  } catch (error) {
    if (error instanceof PhotoRejected) return
    throw error
  }
  const again = acceptPhotos([{ name: 'x', declaredType: '', bytes: stored }])[0]!.bytes
  // Buffer.equals, not toEqual: a deep comparison of 5 MB element by element takes seconds.
  expect(Buffer.from(again).equals(stored)).toBe(true)
}

// Values that make length and count fields lie in interesting ways.
const fieldValue = fc.oneof(
  fc.integer({ min: 0, max: 255 }).map((b) => [b]),
  fc.constantFrom([0, 0, 0, 0], [0, 0, 0, 1], [0xff, 0xff, 0xff, 0xff], [0x7f, 0xff, 0xff, 0xff]),
  fc.constantFrom([0, 0], [0, 1], [0, 2], [0xff, 0xff], [0xff, 0xd9], [0xff, 0xda], [0xff, 0x00]),
)

const mutatedPhoto = fc
  .record({
    base: fc.constantFrom(...validPhotos),
    edits: fc.array(fc.tuple(fc.nat(), fieldValue), { maxLength: 6 }),
    cut: fc.option(fc.nat(), { nil: undefined }),
    insertAt: fc.option(fc.tuple(fc.nat(), fc.uint8Array({ maxLength: 16 })), { nil: undefined }),
  })
  .map(({ base, edits, cut, insertAt }) => {
    let bytes: Uint8Array = base.slice()
    for (const [position, value] of edits) {
      const room = bytes.length - value.length + 1
      if (room > 0) bytes.set(value, position % room)
    }
    if (insertAt !== undefined) {
      const at = insertAt[0] % (bytes.length + 1)
      bytes = bytesOf(bytes.subarray(0, at), insertAt[1], bytes.subarray(at))
    }
    return cut === undefined ? bytes : bytes.subarray(0, cut % (bytes.length + 1))
  })

const magicPrefixed = fc
  .tuple(
    fc.constantFrom(
      Uint8Array.of(0xff, 0xd8, 0xff),
      pngSignature,
      bytesOf(ascii('RIFF'), [0x40, 0, 0, 0], ascii('WEBP')),
      bytesOf([0, 0, 0, 0x18], ascii('ftypheic'), [0, 0, 0, 0], ascii('mif1heic')),
    ),
    fc.uint8Array({ maxLength: 600 }),
  )
  .map(([magic, rest]) => bytesOf(magic, rest))

describe('photo acceptance on hostile input', () => {
  it('returns or throws PhotoRejected for arbitrary bytes, never anything else', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), acceptOrReject), { numRuns: 500 })
  })

  it('returns or throws PhotoRejected for arbitrary bytes behind a valid magic number', () => {
    fc.assert(fc.property(magicPrefixed, acceptOrReject), { numRuns: 2000 })
  })

  it('returns or throws PhotoRejected for mutated and truncated valid photos', () => {
    fc.assert(fc.property(mutatedPhoto, acceptOrReject), { numRuns: 5000 })
  })

  it('finishes quickly on files of the largest size built to cost the most work', () => {
    const largest = 5 * 1024 * 1024
    const hostile = [
      bytesOf([0xff, 0xd8], new Uint8Array(largest - 2).fill(0xff)), // all fill bytes
      bytesOf(
        jpeg().bytes.subarray(0, -2),
        new Uint8Array(largest).fill(0xd0).map((b, i) => (i % 2 ? b : 0xff)), // restart markers
      ),
      bytesOf(heic().bytes, new Uint8Array(largest - 1000)), // a box of size 0 (to the end)
      heicWithScatteredExif(150_000),
    ]
    for (const bytes of hostile) {
      const started = performance.now()
      acceptOrReject(bytes.subarray(0, largest))
      // Linear work takes well under a second; anything quadratic would take minutes.
      expect(performance.now() - started).toBeLessThan(5000)
    }
  })
})

describe('HEIC boxes outside the image items', () => {
  const canary = ascii('+28.4500+119.9167/')
  const typeCode = fc.oneof(
    fc.constantFrom('uuid', 'udta', 'free', 'skip', 'meco', 'mpvd', 'Xtra', 'pdin'),
    fc
      .stringMatching(/^[a-zA-Z0-9 ]{4}$/)
      .filter((t) => !['ftyp', 'meta', 'mdat', 'moov'].includes(t)),
  )
  const extraBox = fc
    .tuple(typeCode, fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }))
    .map(([type, before, after]) =>
      box(type, type === 'uuid' ? new Uint8Array(16) : [], before, canary, after),
    )

  it('keeps no byte of any other top-level box, wherever it sits, and moves no picture byte', () => {
    fc.assert(
      fc.property(
        fc.array(extraBox, { maxLength: 4 }),
        fc.array(extraBox, { maxLength: 4 }),
        fc.boolean(),
        (beforeMdat, afterMdat, xmp) => {
          const photo = heic({
            exif: true,
            xmp,
            boxesBeforeMdat: beforeMdat,
            boxesAfterMdat: afterMdat,
          })
          const [accepted] = acceptPhotos([{ name: 'x', declaredType: '', bytes: photo.bytes }])
          const out = accepted!.bytes
          expect(contains(out, canary)).toBe(false)
          expect(
            Buffer.from(out.subarray(...photo.image)).equals(photo.bytes.subarray(...photo.image)),
          ).toBe(true)
          const again = acceptPhotos([{ name: 'x', declaredType: '', bytes: out }])[0]!.bytes
          expect(Buffer.from(again).equals(out)).toBe(true)
        },
      ),
      { numRuns: 500 },
    )
  })
})

describe('pixel cap', () => {
  // Sizes spread over the whole range a JPEG can state, with many near each cap.
  const side = fc.oneof(
    fc.integer({ min: 1, max: 65_535 }),
    fc.integer({ min: 8000, max: 8400 }),
    fc.integer({ min: maxPhotoSide - 5, max: maxPhotoSide + 5 }),
    fc.integer({ min: 1, max: 100 }),
  )
  const inFormat = {
    png: (w: number, h: number) => png({ size: [w, h] }).bytes,
    jpeg: (w: number, h: number) => jpeg({ size: [w, h], exif: exifTiff() }).bytes,
    webp: (w: number, h: number) => riff(vp8x(0, [w, h]), riffChunk('VP8L', vp8l)),
    heic: (w: number, h: number) => heic({ size: [w, h], exif: true }).bytes,
  }

  it('takes a photo exactly when each side and the area are within the caps, in every format', () => {
    const format = fc.constantFrom(...Object.values(inFormat))
    fc.assert(
      fc.property(format, side, side, (build, width, height) => {
        const within = width <= maxPhotoSide && height <= maxPhotoSide
        const taken = within && width * height <= maxPhotoPixels
        try {
          acceptPhotos([{ name: 'x', declaredType: '', bytes: build(width, height) }])
          expect(taken).toBe(true)
        } catch (error) {
          if (!(error instanceof PhotoRejected)) throw error
          expect(error.reason).toBe('too_many_pixels')
          expect(taken).toBe(false)
        }
      }),
      { numRuns: 2000 },
    )
  })
})

/**
 * A HEIC whose Exif item has `count` extents, each inside its own small mdat box: many ranges to
 * check against many boxes.
 */
function heicWithScatteredExif(count: number): Uint8Array {
  const ftyp = box('ftyp', ascii('heic'), u32be(0), ascii('mif1'))
  const infe = fullBox('infe', 2, u16be(2), u16be(0), ascii('Exif\0'))
  const meta = (firstData: number) => {
    const entries: Uint8Array[] = []
    for (let done = 0; done < count; done += 65535) {
      const extents = new Uint8Array(8 * Math.min(65535, count - done))
      const view = new DataView(extents.buffer)
      for (let i = 0; i < extents.length / 8; i++) {
        view.setUint32(8 * i, firstData + 16 * (done + i))
        view.setUint32(8 * i + 4, 8)
      }
      entries.push(bytesOf(u16be(2), u16be(0), u16be(0), u16be(extents.length / 8), extents))
    }
    const iloc = fullBox('iloc', 1, [0x44, 0x00], u16be(entries.length), ...entries)
    const hdlr = fullBox('hdlr', 0, u32be(0), ascii('pict'), new Uint8Array(13))
    // A primary item with its size, so the file gets past the size checks to the zeroing.
    const pitm = fullBox('pitm', 0, u16be(1))
    const iprp = box(
      'iprp',
      box('ipco', fullBox('ispe', 0, u32be(64), u32be(48))),
      fullBox('ipma', 0, u32be(1), u16be(1), [1, 0x01]),
    )
    return fullBox('meta', 0, hdlr, pitm, fullBox('iinf', 0, u16be(1), infe), iloc, iprp)
  }
  const firstData = ftyp.length + meta(0).length + 8
  const mdat = box('mdat', new Uint8Array(8).fill(0x45))
  const mdats = new Uint8Array(mdat.length * count)
  for (let i = 0; i < count; i++) mdats.set(mdat, i * mdat.length)
  return bytesOf(ftyp, meta(firstData), mdats)
}
