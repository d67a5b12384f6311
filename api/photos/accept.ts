import { createHash } from 'node:crypto'
import { PhotoRejected, photoLabel, tooLarge, tooMany, unsupportedType } from './errors.ts'
import { displayName } from './name.ts'
import { type PhotoType, sniffImage } from './sniff.ts'
import { stripMetadata } from './strip.ts'

/** A file as the browser sent it; nothing in it is trusted. */
export interface IncomingPhoto {
  name: string
  /** The Content-Type the browser claimed; ignored in favour of the bytes themselves. */
  declaredType: string
  bytes: Uint8Array
}

/** A photo ready to store: metadata stripped, size within the pixel caps, type from its content. */
export interface AcceptedPhoto {
  contentType: PhotoType
  bytes: Uint8Array
  /** Hex SHA-256 of `bytes` as stored (after stripping). */
  sha256: string
  /** Length of `bytes` as stored. */
  size: number
  /** The file name for display: base name only, no control characters, at most 100 characters. */
  originalName: string
}

export interface PhotoLimits {
  maxCount: number
  /** Limit on each file as uploaded, before stripping. */
  maxBytes: number
}

export const defaultPhotoLimits: PhotoLimits = { maxCount: 3, maxBytes: 5 * 1024 * 1024 }

/**
 * The photos of one complaint, checked and stripped of metadata, in upload order. Empty files
 * (what a browser sends for a file input left empty) are skipped. Throws PhotoRejected, naming
 * the first bad file, and nothing else, whatever the bytes.
 */
export function acceptPhotos(
  files: readonly IncomingPhoto[],
  limits: PhotoLimits = defaultPhotoLimits,
): AcceptedPhoto[] {
  const present = files.filter((file) => file.bytes.length > 0)
  if (present.length > limits.maxCount) throw tooMany(limits.maxCount)
  return present.map((file, index) => {
    const originalName = displayName(file.name)
    const label = photoLabel(originalName, index)
    if (file.bytes.length > limits.maxBytes) throw tooLarge(label, limits.maxBytes)
    const contentType = sniffImage(file.bytes)
    if (contentType === undefined) throw unsupportedType(label)
    let bytes: Uint8Array
    try {
      bytes = stripMetadata(file.bytes, contentType)
    } catch (error) {
      if (error instanceof PhotoRejected) throw error.about(label)
      throw error
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex')
    return { contentType, bytes, sha256, size: bytes.length, originalName }
  })
}
