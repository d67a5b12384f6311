import { inflateSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { acceptPhotos } from '../../api/photos/accept.ts'
import { maxPhotoPixels, maxPhotoSide } from '../../api/photos/dimensions.ts'
import { PhotoRejected } from '../../api/photos/errors.ts'
import {
  blackPng,
  heic,
  jpeg,
  png,
  riff,
  riffChunk,
  vp8l,
  vp8lOfSize,
  vp8OfSize,
  vp8x,
  webp,
} from './photos-fixtures.ts'

const accept = (name: string, bytes: Uint8Array) =>
  acceptPhotos([{ name, declaredType: 'application/octet-stream', bytes }])

function rejection(name: string, bytes: Uint8Array): PhotoRejected {
  try {
    accept(name, bytes)
  } catch (error) {
    if (error instanceof PhotoRejected) return error
    throw error
  }
  throw new Error(`expected ${name} to be rejected`)
}

/** One picture of the given size in each format, its size stated where decoders read it. */
const inEveryFormat = (width: number, height: number): [string, Uint8Array][] => [
  ['photo.png', png({ size: [width, height] }).bytes],
  ['photo.jpg', jpeg({ size: [width, height] }).bytes],
  ['photo.webp', riff(vp8x(0, [width, height]), riffChunk('VP8L', vp8l))],
  ['photo.heic', heic({ size: [width, height] }).bytes],
]

describe('pixel cap on every photo format', () => {
  it('refuses a real 30000×30000 PNG of 875 KB (900 MB decoded), saying in Chinese what to do', () => {
    const bomb = blackPng(30_000, 30_000)
    expect(bomb.length).toBeLessThan(900_000)
    const error = rejection('bomb.png', bomb)
    expect(error.reason).toBe('too_many_pixels')
    expect(error.message).toBe(
      '照片“bomb.png”的尺寸为 30000×30000 像素，超过上限（最多 6710 万像素，每边最多 30000 像素）。' +
        '请在手机相机设置中改用标准分辨率拍摄，或缩小照片后再上传。',
    )
    expect(error.detail).toContain('PNG IHDR')
  })

  it('builds the bomb the way it builds a smaller black PNG that decodes and is accepted', () => {
    // 3000 × 2000 spans two deflate bands (1,397 rows each), as the bomb spans 216.
    const small = blackPng(3000, 2000)
    const idatLength = new DataView(small.buffer).getUint32(33)
    const pixels = inflateSync(small.subarray(41, 41 + idatLength))
    expect(pixels.length).toBe(2000 * 3001)
    expect(pixels.every((byte) => byte === 0)).toBe(true)
    expect(accept('small.png', small)).toHaveLength(1)
  })

  it('refuses 30000×30000 in every format, from the header alone', () => {
    for (const [name, bytes] of inEveryFormat(30_000, 30_000)) {
      const error = rejection(name, bytes)
      expect(error.reason, name).toBe('too_many_pixels')
      expect(error.message, name).toContain('30000×30000 像素，超过上限')
    }
  })

  it('takes the largest photos phones write in their usual modes, in every format', () => {
    // 64 MP sensors (9248×6936), 50 MP ones (8192×6144), a long panorama; WebP stops at 16383.
    const sizes: [number, number][] = [
      [9248, 6936],
      [8192, 6144],
      [6144, 8192],
      [16_383, 4096],
    ]
    for (const [width, height] of sizes) {
      for (const [name, bytes] of inEveryFormat(width, height)) {
        expect(accept(name, bytes), `${name} ${width}×${height}`).toHaveLength(1)
      }
    }
    expect(accept('pano.png', png({ size: [maxPhotoSide, 2000] }).bytes)).toHaveLength(1)
  })

  it('draws the line exactly at the caps: area and each side', () => {
    const square = Math.floor(Math.sqrt(maxPhotoPixels)) // 8192, exactly 2^26 pixels
    expect(square * square).toBe(maxPhotoPixels)
    const cases: [number, number, boolean][] = [
      [square, square, true],
      [square, square + 1, false],
      [maxPhotoSide, 100, true],
      [maxPhotoSide + 1, 100, false],
      [1, maxPhotoSide + 1, false],
    ]
    for (const [width, height, taken] of cases) {
      const bytes = png({ size: [width, height] }).bytes
      const label = `${width}×${height}`
      if (taken) expect(accept('x.png', bytes), label).toHaveLength(1)
      else expect(rejection('x.png', bytes).reason, label).toBe('too_many_pixels')
    }
  })

  it('checks every size a WebP states: canvas, lossless and lossy bitstreams, animation frames', () => {
    const anmf = (width: number, height: number) => {
      const minusOne = (n: number) => [(n - 1) & 0xff, ((n - 1) >> 8) & 0xff, (n - 1) >> 16]
      const header = [0, 0, 0, 0, 0, 0, ...minusOne(width), ...minusOne(height), 100, 0, 0, 0]
      return riffChunk('ANMF', [...header, ...riffChunk('VP8L', vp8l)])
    }
    const hostile = {
      'VP8L 16384×16384': riff(riffChunk('VP8L', vp8lOfSize(16_384, 16_384))),
      'VP8 16383×16383': riff(riffChunk('VP8 ', vp8OfSize(16_383, 16_383))),
      'VP8X canvas within, VP8L beyond': riff(
        vp8x(0, [100, 100]),
        riffChunk('VP8L', vp8lOfSize(16_384, 16_384)),
      ),
      'animation frame beyond': riff(
        vp8x(0x02, [100, 100]),
        riffChunk('ANIM', [0, 0, 0, 0, 0, 0]),
        anmf(20_000, 20_000),
      ),
    }
    for (const [name, bytes] of Object.entries(hostile)) {
      expect(rejection('x.webp', bytes).reason, name).toBe('too_many_pixels')
    }
    expect(accept('lossy.webp', riff(riffChunk('VP8 ', vp8OfSize(4032, 3024))))).toHaveLength(1)
    expect(accept('lossless.webp', riff(riffChunk('VP8L', vp8lOfSize(4032, 3024))))).toHaveLength(1)
    expect(accept('meta.webp', webp({ exif: true }).bytes)).toHaveLength(1)
  })

  it('refuses a HEIC whose grid canvas is beyond the cap, though its own size is small', () => {
    const error = rejection('grid.heic', heic({ gridCanvas: [30_000, 30_000] }).bytes)
    expect(error.reason).toBe('too_many_pixels')
    expect(error.detail).toContain('grid canvas')
    expect(rejection('wide.heic', heic({ gridCanvas: [100_000, 10] }).bytes).reason).toBe(
      'too_many_pixels',
    )
    expect(accept('grid.heic', heic({ gridCanvas: [8064, 6048] }).bytes)).toHaveLength(1)
  })

  it('refuses a HEIC whose HEVC parameters ask for more pixels than its ispe states', () => {
    const error = rejection('sps.heic', heic({ size: [64, 48], sps: [30_000, 30_000] }).bytes)
    expect(error.reason).toBe('too_many_pixels')
    expect(error.detail).toBe('HEVC SPS announces 30000x30000 pixels')
    expect(accept('sps.heic', heic({ size: [4032, 3024], sps: [4032, 3024] }).bytes)).toHaveLength(
      1,
    )
  })

  it('refuses a HEIC whose tiles each pass but together are a bomb', () => {
    const tiles = (count: number) => heic({ tiles: { count, size: [8000, 8000] } }).bytes
    expect(accept('three.heic', tiles(3))).toHaveLength(1) // 192 million with the picture
    const error = rejection('many.heic', tiles(5)) // 320 million
    expect(error.reason).toBe('too_many_pixels')
    expect(error.message).toContain('所含的图像共有')
  })

  it('refuses as malformed a picture whose size is zero or unknown before decoding', () => {
    const zero: [string, Uint8Array][] = [
      ['zero.png', png({ size: [0, 10] }).bytes],
      ['dnl.jpg', jpeg({ size: [10, 0] }).bytes], // height left to a DNL marker
      ['zero.webp', riff(riffChunk('VP8 ', vp8OfSize(0, 10)))],
      ['no-ispe.heic', heic({ size: 'none' }).bytes],
    ]
    for (const [name, bytes] of zero) expect(rejection(name, bytes).reason, name).toBe('malformed')
  })
})
