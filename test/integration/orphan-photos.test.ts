import { existsSync } from 'node:fs'
import { utimes, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { photoFolderOf, removeOrphanPhotos } from '../../api/services/complaints/orphan-photos.ts'
import { casesWorld, countyA, fileCaseWithPhoto, type CasesWorld } from './admin-cases-support.ts'

let w: CasesWorld

beforeAll(async () => {
  w = await casesWorld()
})
afterAll(() => w.stop())

const twoHoursAgo = () => new Date(Date.now() - 2 * 3600_000)
/** The file of a JPEG key, where the product keeps photos (api/wiring/deps-from-config.ts). */
const fileOf = (key: string) => {
  const { PHOTO_DIR, DATA_DIR } = w.t.deps.config
  return path.join(PHOTO_DIR ?? path.join(DATA_DIR, 'photos'), ...key.split('/')) + '.jpg'
}

it('removes photos no complaint refers to once they are an hour old, and nothing else', async () => {
  const { photos } = w.t.deps
  const filed = await fileCaseWithPhoto(w.app, w.t, countyA)
  const [kept] = await w.t.deps.db
    .selectFrom('complaintPhotos')
    .select('storageKey')
    .where('complaintId', '=', filed.id)
    .execute()
  await utimes(fileOf(kept!.storageKey), twoHoursAgo(), twoHoursAgo())

  // Left by a complaint whose transaction never committed (a crash after the photos were stored).
  const folder = photoFolderOf(new Date())
  const orphan = `${folder}/orphan-1`
  await photos.put(orphan, Buffer.from('photo bytes'), 'image/jpeg')
  await utimes(fileOf(orphan), twoHoursAgo(), twoHoursAgo())
  // Stored a moment ago: its complaint may be committing right now.
  const inFlight = `${folder}/in-flight-1`
  await photos.put(inFlight, Buffer.from('photo bytes'), 'image/jpeg')
  // Half written when the process died.
  const leftover = `${fileOf(`${folder}/torn-1`)}.0b4c0e4e.tmp`
  await writeFile(leftover, 'half a photo')
  await utimes(leftover, twoHoursAgo(), twoHoursAgo())

  expect(await removeOrphanPhotos(w.t.deps)).toBe(1)
  expect(await photos.get(orphan)).toBeUndefined()
  expect(existsSync(leftover)).toBe(false)
  expect(await photos.get(kept!.storageKey)).toBeDefined()
  expect(await photos.get(inFlight)).toBeDefined()

  // An hour later the one in flight has no complaint either: it goes too.
  expect(await removeOrphanPhotos(w.t.deps, new Date(Date.now() + 2 * 3600_000))).toBe(1)
  expect(await photos.get(inFlight)).toBeUndefined()
  expect(await photos.get(kept!.storageKey)).toBeDefined()
})
