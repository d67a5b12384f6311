import { PhotoRejected } from '../../api/photos/errors.ts'
import type { PhotoType } from '../../api/photos/sniff.ts'
import { stripMetadata } from '../../api/photos/strip.ts'
// Photo fixtures built byte by byte, so each test can say exactly which bytes must survive.
// They follow the container formats faithfully; the compressed picture data inside is filler,
// since nothing under test decodes pixels (the PNG one is real and decodes).
import { constants, crc32, deflateRawSync, deflateSync } from 'node:zlib'

export const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0))

export function bytesOf(...parts: (Uint8Array | readonly number[])[]): Uint8Array {
  const arrays = parts.map((part) => (part instanceof Uint8Array ? part : Uint8Array.from(part)))
  const out = new Uint8Array(arrays.reduce((sum, part) => sum + part.length, 0))
  let at = 0
  for (const part of arrays) {
    out.set(part, at)
    at += part.length
  }
  return out
}

export const u16be = (n: number) => [(n >> 8) & 0xff, n & 0xff]
export const u32be = (n: number) => [(n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]
export const u32le = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff]
const u64be = (n: number) => [...u32be(Math.floor(n / 2 ** 32)), ...u32be(n >>> 0)]

/** Whether `needle` occurs anywhere in `haystack`. */
export function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer
    return true
  }
  return false
}

// ---- Exif -------------------------------------------------------------------------------------

/** Text inside the camera-model tag, to prove the whole Exif block is gone. */
export const cameraCanary = ascii('LeakyCam 3000')

/**
 * A big-endian TIFF structure as Exif holds it: IFD0 with Model, optionally Orientation, and a
 * pointer to a GPS IFD placing the photo in Lishui (28°27'N 119°55'E).
 */
export function exifTiff(options: { orientation?: number } = {}): Uint8Array {
  const model = bytesOf(cameraCanary, [0])
  const ifd0Entries = options.orientation === undefined ? 2 : 3
  const ifd0Size = 2 + 12 * ifd0Entries + 4
  const modelAt = 8 + ifd0Size
  const gpsAt = modelAt + model.length
  const gpsSize = 2 + 12 * 4 + 4
  const latitudeAt = gpsAt + gpsSize
  const longitudeAt = latitudeAt + 24
  const entry = (tag: number, type: number, count: number, value: readonly number[]) => [
    ...u16be(tag),
    ...u16be(type),
    ...u32be(count),
    ...value,
  ]
  const rational = (parts: [number, number][]) =>
    parts.flatMap(([n, d]) => [...u32be(n), ...u32be(d)])
  return bytesOf(
    ascii('MM'),
    [0, 42],
    u32be(8),
    u16be(ifd0Entries),
    entry(0x0110, 2, model.length, u32be(modelAt)), // Model
    options.orientation === undefined ? [] : entry(0x0112, 3, 1, [0, options.orientation, 0, 0]),
    entry(0x8825, 4, 1, u32be(gpsAt)), // GPSInfo IFD pointer
    u32be(0),
    model,
    u16be(4),
    entry(0x0001, 2, 2, [0x4e, 0, 0, 0]), // GPSLatitudeRef "N"
    entry(0x0002, 5, 3, u32be(latitudeAt)),
    entry(0x0003, 2, 2, [0x45, 0, 0, 0]), // GPSLongitudeRef "E"
    entry(0x0004, 5, 3, u32be(longitudeAt)),
    u32be(0),
    rational([
      [28, 1],
      [27, 1],
      [0, 1],
    ]),
    rational([
      [119, 1],
      [55, 1],
      [0, 1],
    ]),
  )
}

export const xmpPacket = ascii(
  '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description exif:GPSLatitude="28,27N"/></rdf:RDF></x:xmpmeta>',
)
const iccProfile = bytesOf(u32be(48), ascii('lcms'), new Uint8Array(40).fill(7))

// ---- JPEG -------------------------------------------------------------------------------------

export const jpegSegment = (marker: number, payload: Uint8Array | readonly number[]) =>
  bytesOf([0xff, marker], u16be(payload.length + 2), payload)

/** Entropy-coded filler with a stuffed zero after 0xFF and a restart marker, as real scans have. */
export const scanData = Uint8Array.of(
  0x12,
  0xff,
  0x00,
  0xe1,
  0x34,
  0xff,
  0xd0,
  0x56,
  0xff,
  0x00,
  0xfe,
  0x78,
)

export interface JpegOptions {
  exif?: Uint8Array
  xmp?: boolean
  icc?: boolean
  adobe?: boolean
  comment?: boolean
  /** APP13 Photoshop IPTC block, where captions and bylines live. */
  iptc?: boolean
  /** Two scans with a comment between them, as progressive encoders write. */
  progressive?: boolean
  /** Bytes after EOI (MPF secondary images, vendor trailers). */
  trailer?: Uint8Array
  /** Width and height in the frame header; 8×8 unless given. */
  size?: [number, number]
}

export interface Fixture {
  bytes: Uint8Array
  /** What stripping must produce: the bytes that carry the picture, in order. */
  stripped: Uint8Array
}

export function jpeg(options: JpegOptions = {}): Fixture {
  const keep: Uint8Array[] = []
  const all: Uint8Array[] = []
  const add = (part: Uint8Array, kept: boolean) => {
    all.push(part)
    if (kept) keep.push(part)
  }
  add(Uint8Array.of(0xff, 0xd8), true)
  add(jpegSegment(0xe0, bytesOf(ascii('JFIF\0'), [1, 1, 0, 0, 1, 0, 1, 0, 0])), true)
  if (options.exif) add(jpegSegment(0xe1, bytesOf(ascii('Exif\0\0'), options.exif)), false)
  if (options.xmp) {
    add(jpegSegment(0xe1, bytesOf(ascii('http://ns.adobe.com/xap/1.0/\0'), xmpPacket)), false)
  }
  if (options.icc) add(jpegSegment(0xe2, bytesOf(ascii('ICC_PROFILE\0'), [1, 1], iccProfile)), true)
  if (options.exif) add(jpegSegment(0xe2, bytesOf(ascii('MPF\0'), cameraCanary)), false)
  if (options.iptc) add(jpegSegment(0xed, bytesOf(ascii('Photoshop 3.0\0'), cameraCanary)), false)
  if (options.adobe) add(jpegSegment(0xee, bytesOf(ascii('Adobe'), [0, 100, 0, 0, 0, 0, 1])), true)
  if (options.comment) add(jpegSegment(0xfe, cameraCanary), false)
  add(jpegSegment(0xdb, bytesOf([0], new Uint8Array(64).fill(1))), true) // DQT
  const [width, height] = options.size ?? [8, 8]
  const frame = bytesOf([8], u16be(height), u16be(width), [1, 1, 0x11, 0])
  add(jpegSegment(options.progressive ? 0xc2 : 0xc0, frame), true) // SOF
  add(jpegSegment(0xc4, bytesOf([0], new Uint8Array(16).fill(0), [])), true) // DHT
  add(jpegSegment(0xda, [1, 1, 0, 0, 63, 0]), true) // SOS
  add(scanData, true)
  if (options.progressive) {
    add(jpegSegment(0xfe, cameraCanary), false)
    add(jpegSegment(0xc4, bytesOf([0x10], new Uint8Array(16).fill(0))), true)
    add(jpegSegment(0xda, [1, 1, 0, 1, 63, 0x10]), true)
    add(scanData, true)
  }
  add(Uint8Array.of(0xff, 0xd9), true)
  if (options.trailer) add(options.trailer, false)
  return { bytes: bytesOf(...all), stripped: bytesOf(...keep) }
}

// ---- PNG --------------------------------------------------------------------------------------

export const pngSignature = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)

export function pngChunk(type: string, data: Uint8Array | readonly number[]): Uint8Array {
  const body = bytesOf(ascii(type), data)
  return bytesOf(u32be(body.length - 4), body, u32be(crc32(body)))
}

export interface PngOptions {
  text?: boolean
  exif?: boolean
  time?: boolean
  /** A private ancillary chunk, as vendors add. */
  vendor?: boolean
  /** Bytes after IEND. */
  trailer?: Uint8Array
  /** Width and height in IHDR (the pixel data stays 2×2); 2×2 unless given. */
  size?: [number, number]
}

/** A real 2×2 RGB PNG (it decodes), with sRGB, gAMA, pHYs and any metadata asked for. */
export function png(options: PngOptions = {}): Fixture {
  const rows = Uint8Array.of(0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 255, 255, 255)
  const keep: Uint8Array[] = []
  const all: Uint8Array[] = []
  const add = (part: Uint8Array, kept: boolean) => {
    all.push(part)
    if (kept) keep.push(part)
  }
  add(pngSignature, true)
  const [width, height] = options.size ?? [2, 2]
  add(pngChunk('IHDR', bytesOf(u32be(width), u32be(height), [8, 2, 0, 0, 0])), true)
  add(pngChunk('sRGB', [0]), true)
  add(pngChunk('gAMA', u32be(45455)), true)
  if (options.exif) add(pngChunk('eXIf', exifTiff()), false)
  if (options.text) {
    add(pngChunk('tEXt', bytesOf(ascii('Comment\0'), cameraCanary)), false)
    add(pngChunk('zTXt', bytesOf(ascii('Author\0'), [0], deflateSync(cameraCanary))), false)
    add(pngChunk('iTXt', bytesOf(ascii('XML:com.adobe.xmp\0\0\0\0\0'), xmpPacket)), false)
  }
  if (options.time) add(pngChunk('tIME', [0x07, 0xea, 11, 27, 9, 30, 0]), false)
  if (options.vendor) add(pngChunk('prVt', cameraCanary), false)
  add(pngChunk('pHYs', bytesOf(u32be(2835), u32be(2835), [1])), true)
  add(pngChunk('IDAT', deflateSync(rows)), true)
  add(pngChunk('IEND', []), true)
  if (options.trailer) add(options.trailer, false)
  return { bytes: bytesOf(...all), stripped: bytesOf(...keep) }
}

// ---- WebP -------------------------------------------------------------------------------------

export function riffChunk(fourcc: string, data: Uint8Array | readonly number[]): Uint8Array {
  const size = data.length
  return bytesOf(ascii(fourcc), u32le(size), data, size % 2 === 1 ? [0] : [])
}

export const riff = (...chunks: Uint8Array[]) => {
  const body = bytesOf(...chunks)
  return bytesOf(ascii('RIFF'), u32le(body.length + 4), ascii('WEBP'), body)
}

/** A VP8L bitstream header for a 1×1 picture, followed by filler. */
export const vp8l = Uint8Array.of(0x2f, 0x00, 0x00, 0x00, 0x00, 0x88, 0x88, 0x08, 0x03)

export const vp8xFlags = { icc: 0x20, alpha: 0x10, exif: 0x08, xmp: 0x04, animation: 0x02 }

/** A VP8X chunk; the canvas is 1×1 unless given. */
export function vp8x(flags: number, [width, height]: [number, number] = [1, 1]): Uint8Array {
  const minusOne = (n: number) => u32le(n - 1).slice(0, 3) // 24 bits, stored minus one
  return riffChunk('VP8X', [flags, 0, 0, 0, ...minusOne(width), ...minusOne(height)])
}

/** A VP8L bitstream header for a picture of this size (14 bits each, minus one), then filler. */
export function vp8lOfSize(width: number, height: number): Uint8Array {
  const bits = ((width - 1) | ((height - 1) << 14)) >>> 0
  return bytesOf([0x2f], u32le(bits), [0x88, 0x88, 0x08, 0x03])
}

/** A VP8 key frame header (RFC 6386 9.1) for a picture of this size, then filler. */
export function vp8OfSize(width: number, height: number): Uint8Array {
  const u16le = (n: number) => [n & 0xff, (n >> 8) & 0xff]
  return bytesOf([0x50, 0x01, 0x00, 0x9d, 0x01, 0x2a], u16le(width), u16le(height), [0, 0, 0, 0])
}

export interface WebpOptions {
  exif?: boolean
  xmp?: boolean
  icc?: boolean
  /** Bytes after the RIFF payload. */
  trailer?: Uint8Array
}

/** An extended-format WebP with the chunks asked for, in the order the spec gives. */
export function webp(options: WebpOptions = {}): Fixture {
  const metadataFlags = (options.exif ? vp8xFlags.exif : 0) | (options.xmp ? vp8xFlags.xmp : 0)
  const iccFlag = options.icc ? vp8xFlags.icc : 0
  const icc = options.icc ? [riffChunk('ICCP', iccProfile)] : []
  // An odd-length EXIF chunk, so its padding byte is exercised.
  const exif = options.exif ? [riffChunk('EXIF', bytesOf(exifTiff(), [0x2a]))] : []
  const xmp = options.xmp ? [riffChunk('XMP ', xmpPacket)] : []
  const bytes = bytesOf(
    riff(vp8x(iccFlag | metadataFlags), ...icc, riffChunk('VP8L', vp8l), ...exif, ...xmp),
    options.trailer ?? [],
  )
  return { bytes, stripped: riff(vp8x(iccFlag), ...icc, riffChunk('VP8L', vp8l)) }
}

// ---- HEIC -------------------------------------------------------------------------------------

export function box(type: string, ...body: (Uint8Array | readonly number[])[]): Uint8Array {
  const content = bytesOf(...body)
  return bytesOf(u32be(content.length + 8), ascii(type), content)
}

export const fullBox = (
  type: string,
  version: number,
  ...body: (Uint8Array | readonly number[])[]
): Uint8Array => box(type, [version, 0, 0, 0], ...body)

export interface HeicOptions {
  exif?: boolean
  xmp?: boolean
  ilocVersion?: 0 | 1 | 2
  /** Bytes for offsets and lengths in iloc (4 or 8), and for the base offset (0, 4 or 8). */
  offsetSize?: 4 | 8
  baseOffsetSize?: 0 | 4 | 8
  /** Construction method for the metadata items (1 = idat, which we refuse). */
  metadataConstruction?: number
  /** How the mdat box states its size: plainly, as a 64-bit largesize, or 0 = to the end. */
  mdatSize?: 'plain' | 'large' | 'to-end'
  brands?: string[]
  /** The picture's size as its ispe property states it; 64×48 unless given; 'none': no ispe. */
  size?: [number, number] | 'none'
  /** An hvcC for the picture whose SPS states this size (the ispe may say otherwise). */
  sps?: [number, number]
  /** Image items (listed in ipma only) sharing one more ispe, as the tiles of a grid do. */
  tiles?: { count: number; size: [number, number] }
  /** A grid item (not the primary one) whose data states this canvas size. */
  gridCanvas?: [number, number]
  /** Item properties added to ipco after the sizes, associated with no item. */
  properties?: Uint8Array[]
  /** Boxes added at the end of meta. */
  metaBoxes?: Uint8Array[]
  /** Boxes placed between meta and mdat, and after mdat. */
  boxesBeforeMdat?: Uint8Array[]
  boxesAfterMdat?: Uint8Array[]
}

export interface HeicFixture {
  bytes: Uint8Array
  /** File ranges [start, end) of the picture and of each metadata item. */
  image: [number, number]
  metadata: [number, number][]
}

const hevcData = new Uint8Array(40).map((_, i) => (i * 37 + 11) & 0xff)
const exifItemData = () => bytesOf(u32be(6), ascii('Exif\0\0'), exifTiff({ orientation: 6 }))

/**
 * A HEIC with one HEVC picture item and, if asked, an Exif item and an XMP (mime) item, their
 * data in mdat located through iloc.
 */
export function heic(options: HeicOptions = {}): HeicFixture {
  const ilocVersion = options.ilocVersion ?? 0
  const offsetSize = options.offsetSize ?? 4
  const baseOffsetSize = options.baseOffsetSize ?? 0
  const items: { id: number; type: string; data: Uint8Array; construction: number }[] = [
    { id: 1, type: 'hvc1', data: hevcData, construction: 0 },
  ]
  const construction = options.metadataConstruction ?? 0
  if (options.exif) items.push({ id: 2, type: 'Exif', data: exifItemData(), construction })
  if (options.xmp) items.push({ id: 3, type: 'mime', data: xmpPacket, construction })
  if (options.gridCanvas) {
    const [width, height] = options.gridCanvas
    const wide = width > 0xffff || height > 0xffff
    const field = wide ? u32be : u16be
    const data = bytesOf([0, wide ? 1 : 0, 0, 0], field(width), field(height))
    items.push({ id: 4, type: 'grid', data, construction: 0 })
  }
  const [width, height] = options.size === 'none' ? [0, 0] : (options.size ?? [64, 48])
  const tiles = options.tiles
  // Property indices: 1 the picture's ispe, 2 the tiles' ispe, then the hvcC.
  const hvccIndex = tiles ? 3 : 2
  const pictureProperties = [
    ...(options.size === 'none' ? [] : [0x01]),
    ...(options.sps ? [0x80 | hvccIndex] : []),
  ]
  const ipmaEntries = [
    ...(pictureProperties.length === 0
      ? []
      : [bytesOf(u16be(1), [pictureProperties.length], pictureProperties)]),
    ...Array.from({ length: tiles?.count ?? 0 }, (_, i) => bytesOf(u16be(100 + i), [1, 0x02])),
  ]
  const brands = options.brands ?? ['heic', 'mif1', 'heic']
  const ftyp = box('ftyp', ascii(brands[0] ?? 'heic'), u32be(0), ...brands.slice(1).map(ascii))
  const sized = (n: number, size: number) => (size === 8 ? u64be(n) : size === 4 ? u32be(n) : [])
  const idField = (id: number) => (ilocVersion === 2 ? u32be(id) : u16be(id))
  const buildMeta = (dataStart: number) => {
    let at = 0
    const ilocItems = items.map((item) => {
      const base = baseOffsetSize === 0 ? 0 : dataStart
      const offset = baseOffsetSize === 0 ? dataStart + at : at
      at += item.data.length
      return bytesOf(
        idField(item.id),
        ilocVersion === 0 ? [] : u16be(item.construction),
        u16be(0), // data_reference_index: this file
        sized(base, baseOffsetSize),
        u16be(1),
        sized(offset, offsetSize),
        sized(item.data.length, offsetSize),
      )
    })
    const infe = (item: (typeof items)[number]) =>
      fullBox(
        'infe',
        2,
        u16be(item.id),
        u16be(0),
        ascii(item.type),
        ascii('\0'),
        item.type === 'mime' ? ascii('application/rdf+xml\0') : [],
      )
    return fullBox(
      'meta',
      0,
      fullBox('hdlr', 0, u32be(0), ascii('pict'), new Uint8Array(12), [0]),
      fullBox('pitm', 0, u16be(1)),
      fullBox('iinf', 0, u16be(items.length), ...items.map(infe)),
      fullBox(
        'iloc',
        ilocVersion,
        [(offsetSize << 4) | offsetSize, baseOffsetSize << 4],
        ilocVersion === 2 ? u32be(items.length) : u16be(items.length),
        ...ilocItems,
      ),
      // Item 1 has property 1, its size, as every image item must (ISO/IEC 23008-12 6.5.3).
      box(
        'iprp',
        box(
          'ipco',
          fullBox('ispe', 0, u32be(width), u32be(height)),
          tiles ? fullBox('ispe', 0, u32be(tiles.size[0]), u32be(tiles.size[1])) : [],
          options.sps ? hvcc(...options.sps) : [],
          ...(options.properties ?? []),
        ),
        fullBox('ipma', 0, u32be(ipmaEntries.length), ...ipmaEntries),
      ),
      ...(options.metaBoxes ?? []),
    )
  }
  const mdatHeader = (size: number) =>
    options.mdatSize === 'large'
      ? bytesOf(u32be(1), ascii('mdat'), u64be(size + 16))
      : options.mdatSize === 'to-end'
        ? bytesOf(u32be(0), ascii('mdat'))
        : bytesOf(u32be(size + 8), ascii('mdat'))
  const payload = bytesOf(...items.map((item) => item.data))
  const header = mdatHeader(payload.length)
  const metaLength = buildMeta(0).length // field sizes do not depend on the values
  const before = bytesOf(...(options.boxesBeforeMdat ?? []))
  const dataStart = ftyp.length + metaLength + before.length + header.length
  const after = options.boxesAfterMdat ?? []
  const bytes = bytesOf(ftyp, buildMeta(dataStart), before, header, payload, ...after)
  const ranges: [number, number][] = []
  let at = dataStart
  for (const item of items) {
    ranges.push([at, at + item.data.length])
    at += item.data.length
  }
  const metadata = ranges.filter((_, i) => items[i]!.type === 'Exif' || items[i]!.type === 'mime')
  return { bytes, image: ranges[0]!, metadata }
}

/** Bits written most significant first, as H.265 syntax is. */
class BitWriter {
  readonly bits: number[] = []

  write(value: number, count: number): this {
    for (let i = count - 1; i >= 0; i--) this.bits.push(Math.floor(value / 2 ** i) % 2)
    return this
  }

  /** ue(v): n zeros, then value + 1 in n + 1 bits. */
  expGolomb(value: number): this {
    const length = Math.floor(Math.log2(value + 1))
    return this.write(0, length).write(value + 1, length + 1)
  }

  /** rbsp_trailing_bits, then the bytes with emulation prevention (00 00 0x → 00 00 03 0x). */
  rbsp(): number[] {
    this.write(1, 1)
    while (this.bits.length % 8 !== 0) this.bits.push(0)
    const out: number[] = []
    let zeros = 0
    for (let i = 0; i < this.bits.length; i += 8) {
      const byte = this.bits.slice(i, i + 8).reduce((sum, bit) => sum * 2 + bit, 0)
      if (zeros >= 2 && byte <= 3) {
        out.push(3)
        zeros = 0
      }
      zeros = byte === 0 ? zeros + 1 : 0
      out.push(byte)
    }
    return out
  }
}

/**
 * An hvcC box holding one SPS for a Main-profile picture of width × height (H.265 7.3.2.2.1 up
 * to the picture size). Its profile_tier_level is mostly zeros, so emulation prevention bytes
 * are needed, as in real streams.
 */
function hvcc(width: number, height: number): Uint8Array {
  const sps = new BitWriter()
    .write(0, 4) // sps_video_parameter_set_id
    .write(0, 3) // sps_max_sub_layers_minus1
    .write(1, 1) // sps_temporal_id_nesting_flag
    .write(0, 2 + 1)
    .write(1, 5) // general_profile_space, tier, profile_idc = Main
    .write(0x60000000, 32) // general_profile_compatibility_flags
    .write(0, 48) // source flags and reserved bits
    .write(93, 8) // general_level_idc: level 3.1
    .expGolomb(0) // sps_seq_parameter_set_id
    .expGolomb(1) // chroma_format_idc: 4:2:0
    .expGolomb(width)
    .expGolomb(height)
    .rbsp()
  const nal = [0x42, 0x01, ...sps] // nal_unit_type 33, layer 0, temporal id 1
  const header = bytesOf(
    [1, 1, 0x60, 0, 0, 0],
    new Uint8Array(6),
    [93, 0xf0, 0, 0xfc, 0xfd, 0xf8, 0xf8, 0, 0, 0x0f],
  )
  return box('hvcC', header, [1], [0x80 | 33], u16be(1), u16be(nal.length), nal)
}

/**
 * A real 8-bit greyscale PNG of width × height black pixels. Its pixel data (a zero filter byte
 * and `width` zeros per row) is deflated one band of rows at a time and the bands joined with
 * sync flushes, so a 30000 × 30000 picture (900 MB decoded) costs a few MB to build, not 900.
 */
export function blackPng(width: number, height: number): Uint8Array {
  const rowsPerBand = Math.max(1, Math.floor(2 ** 22 / (width + 1)))
  const band = (rows: number) =>
    deflateRawSync(new Uint8Array(rows * (width + 1)), { finishFlush: constants.Z_SYNC_FLUSH })
  const full = band(rowsPerBand)
  const blocks: Uint8Array[] = []
  for (let done = 0; done < height; done += rowsPerBand) {
    blocks.push(done + rowsPerBand <= height ? full : band(height - done))
  }
  // Adler-32 of n zeros: a stays 1, b grows by 1 for each byte.
  const rawLength = height * (width + 1)
  const adler = ((rawLength % 65521) * 65536 + 1) >>> 0
  const zlib = bytesOf([0x78, 0x9c], ...blocks, deflateRawSync(new Uint8Array()), u32be(adler))
  return bytesOf(
    pngSignature,
    pngChunk('IHDR', bytesOf(u32be(width), u32be(height), [8, 0, 0, 0, 0])),
    pngChunk('IDAT', zlib),
    pngChunk('IEND', []),
  )
}

/** The UUID under which XMP sits in a top-level ISOBMFF `uuid` box (XMP spec part 3, 1.1.5). */
export const xmpUuid = Uint8Array.of(
  0xbe,
  0x7a,
  0xcf,
  0xcb,
  0x97,
  0xa9,
  0x42,
  0xe8,
  0x9c,
  0x71,
  0x99,
  0x94,
  0x91,
  0xe3,
  0xaf,
  0xac,
)

/** An ISO 6709 position in Lishui, as phones write it in `udta`/`©xyz`. */
export const locationText = ascii('+28.4500+119.9167/')

export const uuidXmpBox = () => box('uuid', xmpUuid, xmpPacket)

export const udtaLocationBox = () =>
  box('udta', box('\u00a9xyz', u16be(locationText.length), u16be(0x15c7), locationText))

/** Strips `bytes` as `type` and returns the PhotoRejected that must be thrown. */
export function rejectionOf(bytes: Uint8Array, type: PhotoType): PhotoRejected {
  try {
    stripMetadata(bytes, type)
  } catch (error) {
    if (error instanceof PhotoRejected) return error
    throw error
  }
  throw new Error(`expected the ${type} bytes to be rejected`)
}
