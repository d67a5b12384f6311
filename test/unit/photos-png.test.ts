import { crc32 } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { stripMetadata } from '../../api/photos/strip.ts'
import {
  ascii,
  bytesOf,
  cameraCanary,
  contains,
  png,
  pngChunk,
  pngSignature,
  rejectionOf,
} from './photos-fixtures.ts'

const strip = (bytes: Uint8Array) => stripMetadata(bytes, 'image/png')

const rejection = (bytes: Uint8Array) => rejectionOf(bytes, 'image/png')

/** Chunk types in order, checking each length and CRC on the way. */
function chunksWithValidCrc(bytes: Uint8Array): string[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const types: string[] = []
  let at = 8
  while (at < bytes.length) {
    const length = view.getUint32(at)
    const end = at + 12 + length
    expect(view.getUint32(end - 4)).toBe(crc32(bytes.subarray(at + 4, end - 4)))
    types.push(String.fromCharCode(...bytes.subarray(at + 4, at + 8)))
    at = end
  }
  expect(at).toBe(bytes.length)
  return types
}

describe('PNG metadata stripping', () => {
  it('drops tEXt, zTXt, iTXt, eXIf and tIME, and every remaining chunk has a valid CRC', () => {
    const photo = png({ text: true, exif: true, time: true })
    const out = strip(photo.bytes)
    expect(out).toEqual(photo.stripped)
    expect(chunksWithValidCrc(out)).toEqual(['IHDR', 'sRGB', 'gAMA', 'pHYs', 'IDAT', 'IEND'])
    expect(contains(out, cameraCanary)).toBe(false)
  })

  it('drops private ancillary chunks too, keeping only those that change how the image looks', () => {
    const photo = png({ vendor: true })
    expect(strip(photo.bytes)).toEqual(photo.stripped)
  })

  it('returns a PNG without metadata unchanged', () => {
    const photo = png()
    expect(strip(photo.bytes)).toEqual(photo.bytes)
  })

  it('drops bytes after IEND', () => {
    const photo = png({ trailer: cameraCanary })
    expect(strip(photo.bytes)).toEqual(photo.stripped)
  })

  it('rejects a PNG cut off anywhere as malformed', () => {
    const { bytes } = png({ text: true })
    for (let length = 8; length < bytes.length; length++) {
      expect(rejection(bytes.subarray(0, length)).reason).toBe('malformed')
    }
  })

  it('rejects a chunk whose CRC does not match its bytes', () => {
    const bytes = png().bytes.slice()
    bytes[bytes.indexOf(0x73) + 4]! ^= 1 // first byte of sRGB's data
    expect(rejection(bytes).detail).toContain('CRC')
  })

  it('rejects structural lies as malformed', () => {
    const ihdr = pngChunk('IHDR', bytesOf([0, 0, 0, 2, 0, 0, 0, 2], [8, 2, 0, 0, 0]))
    const idat = pngChunk('IDAT', [0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])
    const iend = pngChunk('IEND', [])
    const cases = {
      'IHDR not first': bytesOf(pngSignature, pngChunk('sRGB', [0]), ihdr, idat, iend),
      'no IDAT': bytesOf(pngSignature, ihdr, iend),
      'no IEND': bytesOf(pngSignature, ihdr, idat),
      'two IHDR': bytesOf(pngSignature, ihdr, ihdr, idat, iend),
      'short IHDR': bytesOf(pngSignature, pngChunk('IHDR', [0, 0, 0, 2]), idat, iend),
      'chunk type not letters': bytesOf(pngSignature, ihdr, pngChunk('a1b2', []), idat, iend),
      'length past the end': bytesOf(pngSignature, ihdr, [0x7f, 0xff, 0xff, 0xff], ascii('IDAT')),
      'bad signature': bytesOf([0x89], ascii('PNG\r\n\n\n'), ihdr, idat, iend),
    }
    for (const [name, bytes] of Object.entries(cases)) {
      expect(rejection(bytes).reason, name).toBe('malformed')
    }
  })
})
