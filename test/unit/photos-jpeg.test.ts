import { describe, expect, it } from 'vitest'
import { readExifOrientation } from '../../api/photos/exif-orientation.ts'
import { stripMetadata } from '../../api/photos/strip.ts'
import {
  ascii,
  bytesOf,
  cameraCanary,
  contains,
  exifTiff,
  jpeg,
  jpegSegment,
  scanData,
  xmpPacket,
  rejectionOf,
} from './photos-fixtures.ts'

const strip = (bytes: Uint8Array) => stripMetadata(bytes, 'image/jpeg')

const rejection = (bytes: Uint8Array) => rejectionOf(bytes, 'image/jpeg')

describe('JPEG metadata stripping', () => {
  it('drops an Exif APP1 carrying GPS tags and keeps every image segment byte-exact', () => {
    const photo = jpeg({ exif: exifTiff(), icc: true })
    const out = strip(photo.bytes)
    expect(out).toEqual(photo.stripped)
    expect(contains(out, ascii('Exif\0\0'))).toBe(false)
    expect(contains(out, cameraCanary)).toBe(false)
    expect([...out.subarray(0, 2)]).toEqual([0xff, 0xd8])
    expect(contains(out, scanData)).toBe(true)
    expect([...out.subarray(-2)]).toEqual([0xff, 0xd9])
  })

  it('keeps the ICC profile in APP2 and the Adobe APP14 that colour conversion needs', () => {
    const photo = jpeg({ icc: true, adobe: true })
    const out = strip(photo.bytes)
    expect(out).toEqual(photo.bytes)
    expect(contains(out, ascii('ICC_PROFILE\0'))).toBe(true)
    expect(contains(out, ascii('Adobe'))).toBe(true)
  })

  it('drops XMP, IPTC, MPF and comments', () => {
    const photo = jpeg({ exif: exifTiff(), xmp: true, iptc: true, comment: true, adobe: true })
    const out = strip(photo.bytes)
    expect(out).toEqual(photo.stripped)
    expect(contains(out, xmpPacket)).toBe(false)
    expect(contains(out, ascii('Photoshop 3.0'))).toBe(false)
    expect(contains(out, ascii('MPF\0'))).toBe(false)
  })

  it('filters segments between the scans of a progressive JPEG', () => {
    const photo = jpeg({ progressive: true, comment: true })
    const out = strip(photo.bytes)
    expect(out).toEqual(photo.stripped)
    expect(contains(out, cameraCanary)).toBe(false)
  })

  it('drops what follows EOI, where phones append secondary images with their own Exif', () => {
    const secondary = jpeg({ exif: exifTiff() }).bytes
    const photo = jpeg({ trailer: secondary })
    expect(strip(photo.bytes)).toEqual(photo.stripped)
  })

  it('keeps the orientation alone, in a fresh Exif block, so upright photos stay upright', () => {
    const photo = jpeg({ exif: exifTiff({ orientation: 6 }) })
    const out = strip(photo.bytes)
    expect(contains(out, cameraCanary)).toBe(false)
    const app1 = out.indexOf(0xe1, 2)
    expect(out[app1 - 1]).toBe(0xff)
    const tiff = out.subarray(app1 + 9, app1 + 1 + ((out[app1 + 1]! << 8) | out[app1 + 2]!))
    expect(readExifOrientation(tiff)).toBe(6)
    expect(readExifOrientation(exifTiff({ orientation: 6 }))).toBe(6)
    // Nothing but that block was added.
    expect(out.length).toBe(photo.stripped.length + 36)
  })

  it('adds no Exif block for the normal orientation', () => {
    const photo = jpeg({ exif: exifTiff({ orientation: 1 }) })
    expect(strip(photo.bytes)).toEqual(photo.stripped)
  })

  it('accepts fill bytes before a marker and keeps them', () => {
    const photo = jpeg()
    const withFill = bytesOf(photo.bytes.subarray(0, 2), [0xff, 0xff], photo.bytes.subarray(2))
    expect(strip(withFill)).toEqual(withFill)
  })

  it('gives the same bytes when stripped twice', () => {
    const once = strip(jpeg({ exif: exifTiff({ orientation: 8 }), xmp: true, icc: true }).bytes)
    expect(strip(once)).toEqual(once)
  })

  it('keeps a JPEG cut off inside its scan data, which decoders show in part', () => {
    const photo = jpeg()
    expect(strip(photo.bytes.subarray(0, -3))).toEqual(photo.bytes.subarray(0, -3))
  })

  it('rejects a JPEG cut off anywhere before its scan data as malformed', () => {
    const photo = jpeg({ exif: exifTiff(), icc: true })
    const scanStart = photo.bytes.length - scanData.length - 2
    for (let length = 3; length <= scanStart; length++) {
      expect(rejection(photo.bytes.subarray(0, length)).reason).toBe('malformed')
    }
  })

  it('rejects structural lies as malformed', () => {
    const photo = jpeg()
    const sofAt = photo.bytes.indexOf(0xc0, 2) - 1
    const cases = {
      'no SOI': photo.bytes.subarray(2),
      'segment longer than the file': bytesOf(
        [0xff, 0xd8],
        jpegSegment(0xe0, [1, 2]).subarray(0, 5),
      ),
      'segment length below 2': bytesOf([0xff, 0xd8, 0xff, 0xe0, 0, 1], photo.bytes.subarray(2)),
      'garbage where a marker belongs': bytesOf([0xff, 0xd8, 0x00], photo.bytes.subarray(2)),
      'EOI before any scan': bytesOf([0xff, 0xd8, 0xff, 0xd9]),
      'scan before the frame header': bytesOf(
        photo.bytes.subarray(0, sofAt),
        photo.bytes.subarray(photo.bytes.indexOf(0xda, sofAt) - 1),
      ),
      'scan with no data before EOI': bytesOf(
        photo.bytes.subarray(0, photo.bytes.length - scanData.length - 2),
        [0xff, 0xd9],
      ),
    }
    for (const [name, bytes] of Object.entries(cases)) {
      expect(rejection(bytes).reason, name).toBe('malformed')
    }
  })
})
