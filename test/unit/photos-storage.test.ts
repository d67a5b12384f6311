import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFolderStorage } from '../../api/photos/storage.ts'
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

// The contract every backend keeps (put, get, delete, list, keys, replicas) is one suite run
// against the folder and the S3 bucket: test/integration/photo-storage.test.ts. Here, what only
// the folder does: its files.
describe('photo storage in a folder, on disk', () => {
  it('keeps each photo as one file named by its key and type, and removes it on delete', async () => {
    const storage = createFolderStorage(root)
    await storage.put('complaints/42/abc123', jpeg().bytes, 'image/jpeg')
    expect(await filesUnder(root)).toEqual(['complaints/42/abc123.jpg'])
    await storage.put('complaints/42/abc123', png().bytes, 'image/png')
    expect(await filesUnder(root)).toEqual(['complaints/42/abc123.png'])
    await storage.delete('complaints/42/abc123')
    expect(await filesUnder(root)).toEqual([])
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
