/** Why a photo was turned away; stable, for machines and logs. */
export type PhotoRejectionReason =
  'too_large' | 'unsupported_type' | 'malformed' | 'too_many' | 'too_many_pixels' | 'image_sequence'

/** How a photo is named in a message: "照片“x.jpg”", "第 2 张照片", or plain "照片". */
type Explain = (label: string) => string

/**
 * The only error photo handling throws for bad input. `message` is shown to the resident as is;
 * `detail` (English, optional) says which structural check failed, for logs only.
 */
export class PhotoRejected extends Error {
  constructor(
    readonly reason: PhotoRejectionReason,
    private readonly explain: Explain,
    readonly detail?: string,
    label = '照片',
  ) {
    super(explain(label))
    this.name = 'PhotoRejected'
  }

  /**
   * The same rejection with the file named in its message: the format parsers do not know the
   * file's name, so `acceptPhotos` adds it.
   */
  about(label: string): PhotoRejected {
    return new PhotoRejected(this.reason, this.explain, this.detail, label)
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
    (photo) => `${photo}不是 JPEG、PNG、WebP 或 HEIC 图片，请换一张照片再提交。`,
  ).about(label)
}

export function tooLarge(label: string, maxBytes: number): PhotoRejected {
  const limit = Number((maxBytes / megabyte).toFixed(1))
  return new PhotoRejected(
    'too_large',
    (photo) => `${photo}超过 ${limit} MB，请压缩后再上传。`,
  ).about(label)
}

export function tooMany(maxCount: number): PhotoRejected {
  return new PhotoRejected(
    'too_many',
    () => `最多上传 ${maxCount} 张照片，请删去多余的照片后再提交。`,
  )
}

/** Thrown by the format parsers when the container does not hold together. */
export function malformed(detail: string): PhotoRejected {
  return new PhotoRejected(
    'malformed',
    (photo) => `${photo}已损坏或格式不完整，请重新拍摄或换一张。`,
    detail,
  )
}

/** Thrown for a HEIF that holds a burst, a live photo or a video instead of one picture. */
export function imageSequence(detail: string): PhotoRejected {
  return new PhotoRejected(
    'image_sequence',
    (photo) =>
      `${photo}是连拍、动态照片或视频，不是单张照片。` +
      '请在手机相机设置中改为拍摄单张照片，或截图后上传。',
    detail,
  )
}
