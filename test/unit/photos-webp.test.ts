import { describe, expect, it } from 'vitest'
import { stripMetadata } from '../../api/photos/strip.ts'
import {
  ascii,
  bytesOf,
  cameraCanary,
  contains,
  riff,
  riffChunk,
  u32le,
  vp8l,
  vp8x,
  vp8xFlags,
  webp,
  xmpPacket,
  rejectionOf,
} from './photos-fixtures.ts'

const strip = (bytes: Uint8Array) => stripMetadata(bytes, 'image/webp')

const rejection = (bytes: Uint8Array) => rejectionOf(bytes, 'image/webp')

const riffSize = (bytes: Uint8Array) =>
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true)

function chunkEnds(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const ends: number[] = []
  for (let at = 12; at < bytes.length; at = ends.at(-1)!) {
    const size = view.getUint32(at + 4, true)
    ends.push(at + 8 + size + (size % 2))
  }
  return ends
}

describe('WebP metadata stripping', () => {
  it('removes EXIF and XMP chunks, clears their VP8X flags and fixes the RIFF size', () => {
    const photo = webp({ exif: true, xmp: true, icc: true })
    const out = strip(photo.bytes)
    expect(out).toEqual(photo.stripped)
    expect(contains(out, cameraCanary)).toBe(false)
    expect(contains(out, xmpPacket)).toBe(false)
    expect(out[20]! & (vp8xFlags.exif | vp8xFlags.xmp)).toBe(0)
    expect(out[20]! & vp8xFlags.icc).toBe(vp8xFlags.icc)
    expect(riffSize(out)).toBe(out.length - 8)
  })

  it('returns a simple lossless WebP unchanged', () => {
    const bytes = riff(riffChunk('VP8L', vp8l))
    expect(strip(bytes)).toEqual(bytes)
  })

  it('drops chunks the format does not define, and bytes after the RIFF payload', () => {
    const photo = webp({ trailer: cameraCanary })
    const bytes = riff(vp8x(0), riffChunk('VP8L', vp8l), riffChunk('pRVT', cameraCanary))
    expect(strip(bytes)).toEqual(photo.stripped)
    expect(strip(photo.bytes)).toEqual(photo.stripped)
  })

  it('rejects a WebP cut off anywhere as malformed', () => {
    const { bytes } = webp({ exif: true, icc: true })
    const boundaries = chunkEnds(bytes)
    for (let length = 12; length < bytes.length; length++) {
      expect(rejection(bytes.subarray(0, length)).reason).toBe('malformed')
      // With the RIFF size made to match the cut, a cut between chunks after the image leaves a
      // whole (shorter) WebP; a cut inside a chunk must still be caught.
      const cut = bytes.slice(0, length)
      cut.set(u32le(length - 8), 4)
      if (!boundaries.includes(length)) expect(rejection(cut).reason).toBe('malformed')
    }
  })

  it('rejects structural lies as malformed', () => {
    const image = riffChunk('VP8L', vp8l)
    const withSize = (size: number, body: Uint8Array) =>
      bytesOf(ascii('RIFF'), u32le(size), ascii('WEBP'), body)
    const cases = {
      'RIFF size beyond the file': withSize(image.length + 100, image),
      'chunk beyond the RIFF size': withSize(image.length, image),
      'no image chunk': riff(vp8x(0), riffChunk('ICCP', [1, 2])),
      'first chunk not an image or VP8X': riff(riffChunk('ICCP', [1, 2]), image),
      'short VP8X': riff(riffChunk('VP8X', [0, 0]), image),
      'VP8X not first': riff(image, vp8x(0)),
    }
    for (const [name, bytes] of Object.entries(cases)) {
      expect(rejection(bytes).reason, name).toBe('malformed')
    }
  })
})
