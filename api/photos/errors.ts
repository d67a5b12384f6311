/** Why a photo was turned away; stable, for machines and logs. */
export type PhotoRejectionReason = 'too_large' | 'unsupported_type' | 'malformed' | 'too_many'

/**
 * The only error photo handling throws for bad input. `message` is shown to the resident as is;
 * `detail` (English, optional) says which structural check failed, for logs only.
 */
export class PhotoRejected extends Error {
  constructor(
    readonly reason: PhotoRejectionReason,
    message: string,
    readonly detail?: string,
  ) {
    super(message)
    this.name = 'PhotoRejected'
  }
}

const megabyte = 1024 * 1024

/** "照片“x.jpg”" for a named file, "第 2 张照片" when the browser sent no usable name. */
export function photoLabel(name: string, index: number): string {
  return name === '' ? `第 ${index + 1} 张照片` : `照片“${name}”`
}

export function unsupportedType(label: string): PhotoRejected {
  return new PhotoRejected(
    'unsupported_type',
    `${label}不是 JPEG、PNG、WebP 或 HEIC 图片，请换一张照片再提交。`,
  )
}

export function tooLarge(label: string, maxBytes: number): PhotoRejected {
  const limit = Number((maxBytes / megabyte).toFixed(1))
  return new PhotoRejected('too_large', `${label}超过 ${limit} MB，请压缩后再上传。`)
}

export function tooMany(maxCount: number): PhotoRejected {
  return new PhotoRejected('too_many', `最多上传 ${maxCount} 张照片，请删去多余的照片后再提交。`)
}

export function malformedPhoto(label: string, detail?: string): PhotoRejected {
  return new PhotoRejected('malformed', `${label}已损坏或格式不完整，请重新拍摄或换一张。`, detail)
}

/** Thrown by the format parsers, which do not know the file's name; `acceptPhotos` adds it. */
export function malformed(detail: string): PhotoRejected {
  return malformedPhoto('照片', detail)
}
