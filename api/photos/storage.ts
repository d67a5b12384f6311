import { randomUUID } from 'node:crypto'
import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises'
import path from 'node:path'
import type { PhotoType } from './sniff.ts'

/** Where photo bytes live; keys are chosen by our code, never taken from a request. */
export interface PhotoStorage {
  /** Stores the bytes under the key, replacing what was there; never leaves a half file visible. */
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>
  /** The bytes and type stored under the key, or undefined if there are none. */
  get(key: string): Promise<{ bytes: Uint8Array; contentType: string } | undefined>
  /** Removes the key; removing a missing key is not an error. */
  delete(key: string): Promise<void>
  /**
   * The keys under the folder `prefix` (no trailing slash) stored before `storedBefore`, for the
   * sweep of photos no complaint refers to (api/services/complaints/orphan-photos.ts).
   */
  list(prefix: string, storedBefore: Date): Promise<string[]>
}

const keyPattern = /^[a-z0-9][a-z0-9/_-]{0,200}$/

/** Lower-case letters, digits, `_`, `-` and `/` between non-empty segments. */
export function isValidPhotoKey(key: string): boolean {
  return keyPattern.test(key) && !key.includes('..') && key.split('/').every((part) => part !== '')
}

// The content type is kept as the file's extension: one file per photo, so a rename publishes
// bytes and type together, and an operator can open the folder and see pictures.
const typeEntries: readonly (readonly [PhotoType, string])[] = [
  ['image/jpeg', '.jpg'],
  ['image/png', '.png'],
  ['image/webp', '.webp'],
  ['image/heic', '.heic'],
]

/** Whether photo storage keeps this content type (the types intake accepts, sniff.ts). */
export const isStorablePhotoType = (contentType: string): contentType is PhotoType =>
  typeEntries.some(([type]) => type === contentType)

function extensionOf(contentType: string): string {
  const found = typeEntries.find(([type]) => type === contentType)
  if (found === undefined) throw new TypeError(`photo storage cannot keep ${contentType}`)
  return found[1]
}

/** Throws a TypeError for a key isValidPhotoKey refuses: a bug in the caller, never input. */
export function checkPhotoKey(key: string): void {
  if (!isValidPhotoKey(key)) throw new TypeError(`invalid photo storage key ${JSON.stringify(key)}`)
}

const checkKey = checkPhotoKey

const isMissing = (error: unknown) =>
  error instanceof Error && 'code' in error && (error.code === 'ENOENT' || error.code === 'ENOTDIR')

/**
 * Photos as files under `root` (created with mode 0700; files are 0600), one per key, named
 * `<key>.<ext>`. A put writes a temporary file beside the target, fsyncs it, renames it into
 * place and fsyncs the folder, so a crash leaves either the old photo or the new one.
 */
export function createFolderStorage(root: string): PhotoStorage {
  const base = path.resolve(root)
  const fileOf = (key: string, extension: string) => path.join(base, ...key.split('/')) + extension

  return {
    async put(key, bytes, contentType) {
      checkKey(key)
      const extension = extensionOf(contentType)
      const target = fileOf(key, extension)
      const folder = path.dirname(target)
      await mkdir(folder, { recursive: true, mode: 0o700 })
      // Keys cannot contain dots, so no key ever names a temporary file.
      const temporary = `${target}.${randomUUID()}.tmp`
      try {
        const file = await open(temporary, 'wx', 0o600)
        try {
          await file.writeFile(bytes)
          await file.sync()
        } finally {
          await file.close()
        }
        await rename(temporary, target)
      } catch (error) {
        await unlink(temporary).catch(() => undefined)
        throw error
      }
      await syncFolder(folder)
      // The same key stored earlier with another type would otherwise shadow or outlive this one.
      for (const [, other] of typeEntries) {
        if (other !== extension) await unlink(fileOf(key, other)).catch(ignoreMissing)
      }
    },

    async get(key) {
      checkKey(key)
      for (const [contentType, extension] of typeEntries) {
        try {
          const bytes = await readFile(fileOf(key, extension))
          return {
            bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length),
            contentType,
          }
        } catch (error) {
          if (!isMissing(error)) throw error
        }
      }
      return undefined
    },

    async delete(key) {
      checkKey(key)
      for (const [, extension] of typeEntries) {
        await unlink(fileOf(key, extension)).catch(ignoreMissing)
      }
    },

    async list(prefix, storedBefore) {
      checkKey(prefix)
      const folder = path.join(base, ...prefix.split('/'))
      let entries
      try {
        entries = await readdir(folder, { recursive: true, withFileTypes: true })
      } catch (error) {
        if (isMissing(error)) return []
        throw error
      }
      const found = new Set<string>()
      for (const entry of entries) {
        if (!entry.isFile()) continue
        const file = path.join(entry.parentPath, entry.name)
        const { mtime } = await stat(file).catch((error: unknown) => {
          if (isMissing(error)) return { mtime: new Date() }
          throw error
        })
        if (mtime >= storedBefore) continue
        if (entry.name.endsWith('.tmp')) {
          // Half written when a process died during a put: never a photo, only stray bytes.
          await unlink(file).catch(ignoreMissing)
          continue
        }
        const extension = path.extname(entry.name)
        if (!typeEntries.some(([, e]) => e === extension)) continue
        const key = path.relative(base, file).slice(0, -extension.length).split(path.sep).join('/')
        if (isValidPhotoKey(key)) found.add(key)
      }
      return [...found]
    },
  }
}

function ignoreMissing(error: unknown): void {
  if (!isMissing(error)) throw error
}

/** Makes a rename in `folder` durable (POSIX leaves it in the folder's metadata until then). */
async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}
