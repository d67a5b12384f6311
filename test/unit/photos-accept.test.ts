import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { acceptPhotos, type IncomingPhoto } from '../../api/photos/accept.ts'
import { PhotoRejected } from '../../api/photos/errors.ts'
import { sniffImage } from '../../api/photos/sniff.ts'
import {
  ascii,
  box,
  bytesOf,
  cameraCanary,
  contains,
  exifTiff,
  heic,
  jpeg,
  locationText,
  png,
  u32be,
  udtaLocationBox,
  uuidXmpBox,
  webp,
  xmpPacket,
} from './photos-fixtures.ts'

const photo = (name: string, bytes: Uint8Array, declaredType = 'image/jpeg'): IncomingPhoto => ({
  name,
  declaredType,
  bytes,
})

function rejection(files: IncomingPhoto[], limits?: { maxCount: number; maxBytes: number }) {
  try {
    acceptPhotos(files, limits)
  } catch (error) {
    if (error instanceof PhotoRejected) return error
    throw error
  }
  throw new Error('expected the photos to be rejected')
}

const ftyp = (major: string, ...compatible: string[]) =>
  box('ftyp', ascii(major), u32be(0), ...compatible.map(ascii))

describe('photo type sniffing', () => {
  it('recognises each accepted type from its magic bytes alone', () => {
    expect(sniffImage(jpeg().bytes)).toBe('image/jpeg')
    expect(sniffImage(png().bytes)).toBe('image/png')
    expect(sniffImage(webp().bytes)).toBe('image/webp')
    expect(sniffImage(heic().bytes)).toBe('image/heic')
  })

  it('takes a HEIF brand among the compatible brands, but never a plain AVIF', () => {
    expect(sniffImage(ftyp('mif1', 'heic'))).toBe('image/heic')
    expect(sniffImage(ftyp('msf1', 'hevc'))).toBe('image/heic')
    expect(sniffImage(ftyp('avif', 'mif1', 'miaf'))).toBeUndefined()
    expect(sniffImage(ftyp('mif1', 'avif'))).toBeUndefined()
    expect(sniffImage(ftyp('isom', 'mp41'))).toBeUndefined()
  })

  it('recognises nothing in text, GIF or a few stray bytes', () => {
    expect(sniffImage(ascii('hello, this is not a picture'))).toBeUndefined()
    expect(sniffImage(ascii('GIF89a\x01\0\x01\0'))).toBeUndefined()
    expect(sniffImage(Uint8Array.of(0xff, 0xd8))).toBeUndefined()
    expect(sniffImage(new Uint8Array())).toBeUndefined()
  })
})

describe('accepting complaint photos', () => {
  it('trusts the bytes over the declared type: a JPEG sent as image/png is stored as JPEG', () => {
    const [accepted] = acceptPhotos([photo('scale.png', jpeg().bytes, 'image/png')])
    expect(accepted?.contentType).toBe('image/jpeg')
  })

  it('rejects a text file that claims to be a JPEG, naming it and saying what to do', () => {
    const error = rejection([photo('receipt.jpg', ascii('total: 12.50 yuan'))])
    expect(error.reason).toBe('unsupported_type')
    expect(error.message).toBe(
      '照片“receipt.jpg”不是 JPEG、PNG、WebP 或 HEIC 图片，请换一张照片再提交。',
    )
  })

  it('rejects an AVIF, which the form does not promise to take', () => {
    const avif = bytesOf(ftyp('avif', 'mif1', 'miaf'), box('mdat', [1]))
    expect(rejection([photo('a.avif', avif, 'image/avif')]).reason).toBe('unsupported_type')
  })

  it('strips metadata and reports hash and size of the bytes to store', () => {
    const [accepted] = acceptPhotos([photo('IMG_0001.JPG', jpeg({ exif: exifTiff() }).bytes)])
    expect(contains(accepted!.bytes, cameraCanary)).toBe(false)
    expect(accepted!.size).toBe(accepted!.bytes.length)
    expect(accepted!.sha256).toBe(createHash('sha256').update(accepted!.bytes).digest('hex'))
    expect(accepted!.originalName).toBe('IMG_0001.JPG')
  })

  it('skips empty files, as browsers send for a file input left empty', () => {
    const empty = photo('', new Uint8Array())
    const accepted = acceptPhotos([empty, photo('a.png', png().bytes), empty, empty])
    expect(accepted.map((p) => p.contentType)).toEqual(['image/png'])
    expect(acceptPhotos([])).toEqual([])
  })

  it('rejects a fourth photo', () => {
    const four = Array.from({ length: 4 }, (_, i) => photo(`${i}.png`, png().bytes))
    const error = rejection(four)
    expect(error.reason).toBe('too_many')
    expect(error.message).toBe('最多上传 3 张照片，请删去多余的照片后再提交。')
    expect(acceptPhotos(four.slice(1))).toHaveLength(3)
  })

  it('rejects a photo over the size limit before looking inside it', () => {
    const bytes = png().bytes
    const limits = { maxCount: 3, maxBytes: bytes.length - 1 }
    const error = rejection([photo('big.png', bytes)], limits)
    expect(error.reason).toBe('too_large')
    expect(
      acceptPhotos([photo('ok.png', bytes)], { ...limits, maxBytes: bytes.length }),
    ).toHaveLength(1)
    const huge = new Uint8Array(5 * 1024 * 1024 + 1)
    expect(rejection([photo('huge.jpg', huge)]).message).toBe(
      '照片“huge.jpg”超过 5 MB，请压缩后再上传。',
    )
  })

  it('names a broken photo and keeps the technical reason for the logs', () => {
    const bytes = png().bytes.subarray(0, 40)
    const error = rejection([photo('ok.png', png().bytes), photo('broken.png', bytes)])
    expect(error.reason).toBe('malformed')
    expect(error.message).toBe('照片“broken.png”已损坏或格式不完整，请重新拍摄或换一张。')
    expect(error.detail).toContain('runs past the end')
  })

  it('truncated files of every type are rejected as malformed', () => {
    const samples = [
      jpeg({ exif: exifTiff() }).bytes,
      png({ text: true }).bytes,
      webp({ exif: true }).bytes,
      heic({ exif: true }).bytes,
    ]
    for (const bytes of samples) {
      const cut = bytes.subarray(0, Math.floor(bytes.length / 2))
      expect(rejection([photo('cut', cut)]).reason).toBe('malformed')
    }
  })

  it('keeps a file name fit for display: base name, no control characters, at most 100', () => {
    const name = (raw: string) => acceptPhotos([photo(raw, png().bytes)])[0]!.originalName
    expect(name('C:\\fakepath\\秤.png')).toBe('秤.png')
    expect(name('../../etc/passwd')).toBe('passwd')
    expect(name('a\u0000b\nc\u202Egnp.exe')).toBe('abcgnp.exe')
    const long = name(`${'称'.repeat(150)}.jpeg`)
    expect(Array.from(long)).toHaveLength(100)
    expect(long.endsWith('称.jpeg')).toBe(true)
    expect(name('😀'.repeat(120))).toBe('😀'.repeat(100))
  })

  it('says which photo it means when the browser sent no name', () => {
    const error = rejection([photo('ok.png', png().bytes), photo('\u0007', ascii('text'))])
    expect(error.message).toMatch(/^第 2 张照片不是/)
  })

  it('keeps no XMP or location from the top-level boxes of a HEIC', () => {
    const bytes = heic({
      exif: true,
      boxesBeforeMdat: [uuidXmpBox()],
      boxesAfterMdat: [udtaLocationBox()],
    }).bytes
    const [accepted] = acceptPhotos([photo('IMG_0002.HEIC', bytes, 'image/heic')])
    expect(accepted!.contentType).toBe('image/heic')
    for (const leak of [xmpPacket, locationText, cameraCanary, ascii('udta'), ascii('uuid')]) {
      expect(contains(accepted!.bytes, leak)).toBe(false)
    }
  })

  it('names a burst or live photo and says how to send a single picture instead', () => {
    const burst = heic({ brands: ['msf1', 'mif1', 'heic', 'hevc'] }).bytes
    const error = rejection([photo('IMG_0003.HEIC', burst, 'image/heic')])
    expect(error.reason).toBe('image_sequence')
    expect(error.message).toBe(
      '照片“IMG_0003.HEIC”是连拍、动态照片或视频，不是单张照片。' +
        '请在手机相机设置中改为拍摄单张照片，或截图后上传。',
    )
    expect(error.detail).toContain('msf1')
  })

  it('names a photo with too many pixels and keeps which header said so for the logs', () => {
    const error = rejection([
      photo('ok.png', png().bytes),
      photo('', heic({ size: [20_000, 20_000] }).bytes),
    ])
    expect(error.reason).toBe('too_many_pixels')
    expect(error.message).toMatch(/^第 2 张照片的尺寸为 20000×20000 像素，超过上限/)
    expect(error.detail).toBe('HEIF ispe announces 20000x20000 pixels')
  })

  it('takes what real encoders write, and leaves none of their Exif behind', () => {
    for (const file of ['camera-gps.jpg', 'camera-gps.png', 'camera-gps.webp', 'camera-gps.heic']) {
      const bytes = readFileSync(new URL(`../fixtures/photos/${file}`, import.meta.url))
      expect(contains(bytes, cameraCanary), file).toBe(true)
      const [accepted] = acceptPhotos([photo(file, bytes, 'application/octet-stream')])
      expect(contains(accepted!.bytes, cameraCanary), file).toBe(false)
      expect(contains(accepted!.bytes, Uint8Array.of(0, 0, 0, 119, 0, 0, 0, 1)), file).toBe(false)
    }
  })
})
