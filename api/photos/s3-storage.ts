import {
  checkPhotoKey,
  isStorablePhotoType,
  isValidPhotoKey,
  type PhotoStorage,
} from './storage.ts'

/** Where and how to reach the bucket (api/config.ts S3_*). */
export interface S3StorageOptions {
  bucket: string
  /** Put before every key: empty, or ending in `/` (`lishui/photos/`). */
  prefix: string
  /** The service's address; unset for Amazon S3 itself, where the region decides. */
  endpoint?: string | undefined
  region: string
  accessKeyId: string
  secretAccessKey: string
  /** `https://endpoint/bucket/key` rather than `https://bucket.endpoint/key` (MinIO wants it). */
  forcePathStyle: boolean
  /** Asks the service to encrypt each object at rest with its own keys (SSE-S3, `AES256`). */
  serverSideEncryption: boolean
  /** Keys per listing page; S3's maximum (1,000) unless a test wants many pages. */
  listPageSize?: number
}

export type S3PhotoStorage = PhotoStorage & {
  /** Closes the client's connections (a test, or a process stopping). */
  destroy: () => Promise<void>
}

// The SDK takes a few hundred milliseconds to load: a process with photos in a folder (and every
// build child) never pays for it, one with photos in S3 pays at its first photo.
let sdk: Promise<typeof import('@aws-sdk/client-s3')> | undefined
const loadSdk = () => (sdk ??= import('@aws-sdk/client-s3'))

/**
 * Photos as objects in an S3-compatible bucket (Alibaba OSS, Tencent COS, Huawei OBS, MinIO,
 * Amazon S3), one object per key under `prefix`, with the photo's content type as the object's.
 * Every replica given the same bucket sees the same photos. Objects are written without an ACL,
 * so they stay as private as the bucket (which must not be public: photos are personal data and
 * are only served through the console, api/services/admin/cases/photo.ts). A PUT is atomic: a
 * reader sees the old photo or the new one, never half of one.
 */
export function createS3Storage(options: S3StorageOptions): S3PhotoStorage {
  const { bucket, prefix } = options
  const connect = async () => {
    const s3 = await loadSdk()
    const client = new s3.S3Client({
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      credentials: {
        accessKeyId: options.accessKeyId,
        secretAccessKey: options.secretAccessKey,
      },
      // The SDK's default checksum headers (CRC32 on every upload, since 2025) are refused by some
      // S3-compatible services; the ones S3 itself requires are still sent, and TLS and SigV4's
      // payload hash keep the bytes whole.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // A photo is at most a few megabytes: a service that does not answer in 30 s is down.
      requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
    })
    return { s3, client }
  }
  let connected: ReturnType<typeof connect> | undefined
  const ready = () => (connected ??= connect())
  const objectKey = (key: string) => `${prefix}${key}`

  return {
    async put(key, bytes, contentType) {
      checkPhotoKey(key)
      if (!isStorablePhotoType(contentType)) {
        throw new TypeError(`photo storage cannot keep ${contentType}`)
      }
      const { s3, client } = await ready()
      await client.send(
        new s3.PutObjectCommand({
          Bucket: bucket,
          Key: objectKey(key),
          Body: bytes,
          ContentLength: bytes.byteLength,
          ContentType: contentType,
          ...(options.serverSideEncryption ? { ServerSideEncryption: 'AES256' as const } : {}),
        }),
      )
    },

    async get(key) {
      checkPhotoKey(key)
      const { s3, client } = await ready()
      let response
      try {
        response = await client.send(
          new s3.GetObjectCommand({ Bucket: bucket, Key: objectKey(key) }),
        )
      } catch (error) {
        if (isNotFound(error)) return undefined
        throw error
      }
      const contentType = response.ContentType ?? ''
      if (!isStorablePhotoType(contentType) || !response.Body) {
        // Only put() writes here: anything else was written by hand, and is not served.
        throw new Error(`photo object ${JSON.stringify(key)} has content type ${contentType}`)
      }
      return { bytes: await response.Body.transformToByteArray(), contentType }
    },

    async delete(key) {
      checkPhotoKey(key)
      // S3 answers 204 for a key that is not there: deleting twice is not an error.
      const { s3, client } = await ready()
      await client.send(new s3.DeleteObjectCommand({ Bucket: bucket, Key: objectKey(key) }))
    },

    async list(folder, storedBefore) {
      checkPhotoKey(folder)
      const { s3, client } = await ready()
      const found: string[] = []
      let continuationToken: string | undefined
      do {
        const page = await client.send(
          new s3.ListObjectsV2Command({
            Bucket: bucket,
            Prefix: `${objectKey(folder)}/`,
            MaxKeys: options.listPageSize ?? 1000,
            ContinuationToken: continuationToken,
          }),
        )
        for (const object of page.Contents ?? []) {
          if (!object.Key || !object.LastModified || object.LastModified >= storedBefore) continue
          const key = object.Key.slice(prefix.length)
          if (isValidPhotoKey(key)) found.push(key)
        }
        continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined
      } while (continuationToken)
      return found
    },

    destroy: async () => {
      if (connected) (await connected).client.destroy()
    },
  }
}

/** The SDK's answer to a GET of a key that is not there (a 404, named NoSuchKey by S3). */
function isNotFound(error: unknown): boolean {
  if (!(error instanceof Error)) return false
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode
  return error.name === 'NoSuchKey' || status === 404
}
