import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFolderStorage, isValidPhotoKey } from '../../api/photos/storage.ts'
import { jpeg, png } from './photos-fixtures.ts'

let dataDir: string
let root: string

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'photos-storage-'))
  root = path.join(dataDir, 'photos')
})

afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true })
})

async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true })
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(folder, path.join(entry.parentPath, entry.name)))
    .sort()
}

describe('photo storage in a folder', () => {
  it('gives back the bytes and content type it was given', async () => {
    const storage = createFolderStorage(root)
    const bytes = jpeg().bytes
    await storage.put('complaints/42/abc123', bytes, 'image/jpeg')
    expect(await storage.get('complaints/42/abc123')).toEqual({ bytes, contentType: 'image/jpeg' })
    expect(await filesUnder(root)).toEqual(['complaints/42/abc123.jpg'])
  })

  it('answers undefined for a key never stored, and deletes a missing key quietly', async () => {
    const storage = createFolderStorage(root)
    expect(await storage.get('complaints/1/none')).toBeUndefined()
    await expect(storage.delete('complaints/1/none')).resolves.toBeUndefined()
  })

  it('deletes what it stored', async () => {
    const storage = createFolderStorage(root)
    await storage.put('a', png().bytes, 'image/png')
    await storage.delete('a')
    expect(await storage.get('a')).toBeUndefined()
    expect(await filesUnder(root)).toEqual([])
  })

  it('replaces a photo stored again under the same key, even with another type', async () => {
    const storage = createFolderStorage(root)
    await storage.put('p', jpeg().bytes, 'image/jpeg')
    await storage.put('p', png().bytes, 'image/png')
    expect(await storage.get('p')).toEqual({ bytes: png().bytes, contentType: 'image/png' })
    expect(await filesUnder(root)).toEqual(['p.png'])
  })

  it('rejects keys that could leave the folder or name odd files', async () => {
    const storage = createFolderStorage(root)
    const bad = [
      '',
      '../x',
      'a/../../x',
      '/etc/passwd',
      'A',
      'a.jpg',
      'a//b',
      'a/',
      '-a',
      'a\\b',
      'x'.repeat(202),
    ]
    for (const key of bad) {
      expect(isValidPhotoKey(key), key).toBe(false)
      await expect(storage.put(key, png().bytes, 'image/png'), key).rejects.toThrow(TypeError)
      await expect(storage.get(key), key).rejects.toThrow(TypeError)
      await expect(storage.delete(key), key).rejects.toThrow(TypeError)
    }
    expect(isValidPhotoKey('complaints/2026/0001/9f86d081_0')).toBe(true)
    expect(isValidPhotoKey('x'.repeat(201))).toBe(true)
  })

  it('refuses a content type it cannot keep', async () => {
    const storage = createFolderStorage(root)
    await expect(storage.put('a', png().bytes, 'text/html')).rejects.toThrow(TypeError)
  })

  it('leaves no temporary file behind, after success or failure', async () => {
    const storage = createFolderStorage(root)
    await Promise.all(
      Array.from({ length: 5 }, (_, i) => storage.put(`c/${i}`, png().bytes, 'image/png')),
    )
    // A directory where the file should go makes the rename fail.
    await mkdir(path.join(root, 'c', 'blocked.png'))
    await expect(storage.put('c/blocked', png().bytes, 'image/png')).rejects.toThrow()
    expect(await filesUnder(root)).toEqual(['c/0.png', 'c/1.png', 'c/2.png', 'c/3.png', 'c/4.png'])
  })

  it('creates its folders readable by the owner only, and files likewise', async () => {
    const storage = createFolderStorage(root)
    await storage.put('complaints/7/x', jpeg().bytes, 'image/jpeg')
    expect((await stat(root)).mode & 0o777).toBe(0o700)
    expect((await stat(path.join(root, 'complaints', '7'))).mode & 0o777).toBe(0o700)
    expect((await stat(path.join(root, 'complaints', '7', 'x.jpg'))).mode & 0o777).toBe(0o600)
  })
})
