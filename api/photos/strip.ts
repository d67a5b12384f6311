import { stripHeic } from './heic.ts'
import { stripJpeg } from './jpeg.ts'
import { stripPng } from './png.ts'
import type { PhotoType } from './sniff.ts'
import { stripWebp } from './webp.ts'

/**
 * The photo without metadata (Exif with its GPS position, XMP, comments, timestamps), checked
 * for structure on the way; nothing is decoded or re-encoded, so the picture loses no quality.
 * Throws PhotoRejected ('malformed') when the container does not hold together.
 */
export function stripMetadata(bytes: Uint8Array, type: PhotoType): Uint8Array {
  switch (type) {
    case 'image/jpeg':
      return stripJpeg(bytes)
    case 'image/png':
      return stripPng(bytes)
    case 'image/webp':
      return stripWebp(bytes)
    case 'image/heic':
      return stripHeic(bytes)
  }
}
