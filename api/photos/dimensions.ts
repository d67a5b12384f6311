import { PhotoRejected } from './errors.ts'

// The pixel cap is what bounds the memory a viewer spends on one photo: a decoder allocates
// width × height × 4 bytes whatever the file's size, so a 900 KB PNG can announce 900 MB. The
// parsers check it against the headers (PNG IHDR, JPEG SOFn, WebP VP8X/VP8/VP8L/ANMF, HEIF ispe,
// HEVC SPS and grid canvases) before anything would decode a pixel.
//
// 2^26 pixels (about 67.1 million, 256 MiB decoded) admits every photo a phone takes in a mode
// that fits the 5 MB upload limit: 12 MP default modes, 48/50 MP sensors (8064×6048,
// 8192×6144 = 50.3 MP) and 64 MP ones (9248×6936 = 64.1 MP). The 108 MP and 200 MP
// full-resolution modes write files of 15 to 60 MB, which the byte limit refuses anyway;
// letting their pixel counts through would only let a small file demand 800 MB of memory.

/** Largest width × height taken. */
export const maxPhotoPixels = 2 ** 26

/**
 * Longest side taken. Phone panoramas run to about 20,000 pixels by 4,000; 30,000 leaves room
 * for those and refuses the thin, absurd shapes (1 × 60 million) some decoders choke on.
 */
export const maxPhotoSide = 30_000

/**
 * Largest sum of the sizes of all images in one file (HEIF tiles, their grid, a thumbnail, an
 * HDR gain map, a depth map). A 48 MP phone HEIC holds about 105 million: the picture twice
 * (as 192 tiles and as their grid) and its auxiliary images.
 */
const maxPixelsInFile = 4 * maxPhotoPixels

// "6710 万像素": Chinese counts large numbers in units of ten thousand (万).
const maxTenThousands = Math.floor(maxPhotoPixels / 10_000)

/** Throws PhotoRejected ('too_many_pixels') when a picture of this size is beyond the caps. */
export function checkDimensions(width: number, height: number, where: string): void {
  if (width > maxPhotoSide || height > maxPhotoSide || width * height > maxPhotoPixels) {
    throw tooManyPixels(width, height, `${where} announces ${width}x${height} pixels`)
  }
}

/** Throws PhotoRejected ('too_many_pixels') when the images in one file add up beyond the cap. */
export function checkTotalPixels(total: number, where: string): void {
  if (total > maxPixelsInFile) {
    throw new PhotoRejected(
      'too_many_pixels',
      (photo) =>
        `${photo}所含的图像共有 ${Math.ceil(total / 10_000)} 万像素，超过上限` +
        `（${Math.floor(maxPixelsInFile / 10_000)} 万像素）。请在手机相机设置中改用标准分辨率拍摄，或截图后上传。`,
      `${where} add up to ${total} pixels`,
    )
  }
}

function tooManyPixels(width: number, height: number, detail: string): PhotoRejected {
  return new PhotoRejected(
    'too_many_pixels',
    (photo) =>
      `${photo}的尺寸为 ${width}×${height} 像素，超过上限（最多 ${maxTenThousands} 万像素，` +
      `每边最多 ${maxPhotoSide} 像素）。请在手机相机设置中改用标准分辨率拍摄，或缩小照片后再上传。`,
    detail,
  )
}
