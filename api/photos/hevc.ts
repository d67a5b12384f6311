import { u16be, u8 } from './bytes.ts'
import { malformed } from './errors.ts'

// An HEVC decoder allocates the picture from the sequence parameter set (SPS), not from the
// HEIF `ispe` that describes it, so a file whose ispe says 64 × 48 could still ask for
// 30,000 × 30,000. The SPS of an `hvc1` item lives in its `hvcC` property (ISO/IEC 14496-15
// 8.3.3); these functions read the picture size from it.

const spsType = 33
/** Enough of an SPS to reach the picture size even with seven sub-layers (about 100 bytes). */
const spsPrefix = 256

/** Width and height of every SPS in an hvcC box body [from, to). */
export function hvccPictureSizes(bytes: Uint8Array, from: number, to: number): [number, number][] {
  const need = (at: number, count: number) => {
    if (at + count > to) throw malformed('HEVC configuration (hvcC) cut off')
  }
  need(from, 23)
  let at = from + 23 // after the fixed fields and numOfArrays
  const arrays = u8(bytes, from + 22)
  const sizes: [number, number][] = []
  for (let i = 0; i < arrays; i++) {
    need(at, 3)
    const count = u16be(bytes, at + 1)
    at += 3
    for (let j = 0; j < count; j++) {
      need(at, 2)
      const length = u16be(bytes, at)
      need(at + 2, length)
      const nal = bytes.subarray(at + 2, at + 2 + length)
      at += 2 + length
      if (nal.length < 2 || nal[0]! >> 1 !== spsType) continue
      // A layer above 0 belongs to a multi-layer stream, whose SPS syntax differs; the
      // decoders that show HEIC (libheif's, the browsers') decode layer 0 only.
      const layer = ((nal[0]! & 1) << 5) | (nal[1]! >> 3)
      if (layer === 0) sizes.push(spsPictureSize(nal.subarray(2)))
    }
  }
  return sizes
}

/** pic_width_in_luma_samples and pic_height_in_luma_samples (H.265 section 7.3.2.2.1). */
function spsPictureSize(payload: Uint8Array): [number, number] {
  const bits = new BitReader(unescape(payload.subarray(0, spsPrefix)))
  bits.skip(4) // sps_video_parameter_set_id
  const subLayers = bits.read(3) // sps_max_sub_layers_minus1
  bits.skip(1) // sps_temporal_id_nesting_flag
  // profile_tier_level(1, subLayers), section 7.3.3: general profile, tier and level.
  bits.skip(96)
  const present: [boolean, boolean][] = []
  for (let i = 0; i < subLayers; i++) present.push([bits.read(1) === 1, bits.read(1) === 1])
  if (subLayers > 0) bits.skip(2 * (8 - subLayers))
  for (const [profile, level] of present) bits.skip((profile ? 88 : 0) + (level ? 8 : 0))
  bits.expGolomb() // sps_seq_parameter_set_id
  if (bits.expGolomb() === 3) bits.skip(1) // chroma_format_idc, separate_colour_plane_flag
  return [bits.expGolomb(), bits.expGolomb()]
}

/** The RBSP: every 0x03 that follows two zero bytes is an emulation-prevention byte. */
function unescape(payload: Uint8Array): Uint8Array {
  const out: number[] = []
  let zeros = 0
  for (const byte of payload) {
    if (zeros >= 2 && byte === 3) {
      zeros = 0
      continue
    }
    zeros = byte === 0 ? zeros + 1 : 0
    out.push(byte)
  }
  return Uint8Array.from(out)
}

class BitReader {
  private at = 0

  constructor(private readonly bytes: Uint8Array) {}

  read(count: number): number {
    let value = 0
    for (let i = 0; i < count; i++) {
      const byte = this.bytes[this.at >> 3]
      if (byte === undefined) throw malformed('HEVC SPS cut off')
      value = value * 2 + ((byte >> (7 - (this.at & 7))) & 1)
      this.at++
    }
    return value
  }

  skip(count: number): void {
    if ((this.at + count + 7) >> 3 > this.bytes.length) throw malformed('HEVC SPS cut off')
    this.at += count
  }

  /** ue(v), section 9.2; 32 leading zeros or more cannot encode a picture size. */
  expGolomb(): number {
    let zeros = 0
    while (this.read(1) === 0) {
      if (++zeros > 31) throw malformed('HEVC SPS has an oversized Exp-Golomb code')
    }
    return 2 ** zeros - 1 + this.read(zeros)
  }
}
