// Replicas on one shared photo store: a photo filed through one is served by the console of
// another, and erased for all. Every replica runs the hourly sweeps (api/worker/index.ts): the
// photos no complaint or draft refers to must go once, and a referenced one never.
import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { parseConfig } from '../../api/config.ts'
import { createApp } from '../../api/http/app.ts'
import type { PhotoStorage } from '../../api/photos/storage.ts'
import { photoFolderOf, removeOrphanPhotos } from '../../api/services/complaints/orphan-photos.ts'
import {
  draftLifetimeMs,
  draftPhotoFolderOf,
  sweepExpiredDrafts,
} from '../../api/services/complaints/drafts/store.ts'
import { erasePersonalDataPastRetention } from '../../api/services/admin/cases/retention.ts'
import { photoStorageFromConfig } from '../../api/wiring/deps-from-config.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { startS3Server, type S3TestServer } from '../support/s3-server.ts'
import { png } from '../unit/photos-fixtures.ts'
import { signedInOperator } from '../support/operators.ts'
import { countyA, fileCaseWithPhoto } from './admin-cases-support.ts'

let t: TestContext
let s3: S3TestServer

beforeAll(async () => {
  ;[t, s3] = await Promise.all([createTestContext(), startS3Server()])
})
afterAll(async () => {
  await t.cleanup()
  await s3.stop()
})

const hour = 3600_000

/** What each replica deleted, key by key, on the shared bucket. */
const deleted = new Map<string, number>()

/** A replica: the product's S3 store from the same configuration, noting each delete it sends. */
function replica(prefix: string) {
  const store = photoStorageFromConfig(parseConfig(s3.env(prefix)))
  const photos: PhotoStorage = {
    put: (key, bytes, type) => store.put(key, bytes, type),
    get: (key) => store.get(key),
    list: (folder, before) => store.list(folder, before),
    delete: async (key) => {
      deleted.set(key, (deleted.get(key) ?? 0) + 1)
      await store.delete(key)
    },
  }
  return { ...t.deps, photos }
}

let trackingSerial = 10000

/** A complaint with these photos: received now, or ended `receivedAt` (closed) when given. */
async function insertComplaintWithPhotos(keys: readonly string[], receivedAt?: Date) {
  const at = receivedAt ?? new Date()
  const complaint = await sql<{ id: string }>`
    INSERT INTO complaints (tracking_no, query_code_hash, kind, category, county_code,
      merchant_name, address, occurred_at, description, pii_key_id, name_sealed, phone_sealed,
      phone_hash, status, received_at, due_at)
    VALUES (${`JL20261207-${trackingSerial++}`}, ${randomBytes(32)}, 'complaint', 'other',
      '331102', '照片清理测试', '照片清理测试', ${at}, '照片清理测试', 'test', ${randomBytes(40)},
      ${randomBytes(40)}, ${randomBytes(32)}, ${receivedAt ? 'closed' : 'received'}, ${at},
      ${new Date(at.getTime() + 240 * hour)})
    RETURNING id
  `.execute(t.deps.db)
  const id = complaint.rows[0]!.id
  await t.deps.db
    .insertInto('complaintPhotos')
    .values(
      keys.map((storageKey, i) => ({
        complaintId: id,
        position: i + 1,
        storageKey,
        contentType: 'image/png',
        sizeBytes: png().bytes.byteLength,
        sha256: '0'.repeat(64),
        originalName: 'photo.png',
      })),
    )
    .execute()
  return id
}

it('serves a photo filed through one replica from the console of another, and deleted for both', async () => {
  const prefix = `console${randomBytes(4).toString('hex')}/`
  const [a, b] = [replica(prefix), replica(prefix)]
  const [appA, appB] = [createApp(a), createApp(b)]
  const filed = await fileCaseWithPhoto(appA, t, countyA)
  const photo = await t.deps.db
    .selectFrom('complaintPhotos')
    .select(['id', 'storageKey'])
    .where('complaintId', '=', filed.id)
    .executeTakeFirstOrThrow()
  const { headers } = await signedInOperator(t.deps, 'county_handler', countyA)

  const served = await appB.request(`/api/admin/photos/${photo.id}`, { headers })
  expect(served.status).toBe(200)
  expect(served.headers.get('content-type')).toBe('image/jpeg')
  expect((await served.arrayBuffer()).byteLength).toBeGreaterThan(0)
  expect((await b.photos.get(photo.storageKey))?.bytes.byteLength).toBe(
    (await a.photos.get(photo.storageKey))?.bytes.byteLength,
  )

  // Deleted through one replica: gone for the other too.
  await b.photos.delete(photo.storageKey)
  expect(await a.photos.get(photo.storageKey)).toBeUndefined()
  expect((await appA.request(`/api/admin/photos/${photo.id}`, { headers })).status).toBe(404)
})

it('two replicas sweeping the shared store at once remove each orphan once, and no referenced photo', async () => {
  const prefix = `orphans${randomBytes(4).toString('hex')}/`
  const [a, b] = [replica(prefix), replica(prefix)]
  const folder = photoFolderOf(new Date())
  const referenced = [1, 2, 3].map((i) => `${folder}/kept-${i}`)
  const orphans = Array.from({ length: 12 }, (_, i) => `${folder}/orphan-${i}`)
  await insertComplaintWithPhotos(referenced)
  await Promise.all(
    [...referenced, ...orphans].map((key) => a.photos.put(key, png().bytes, 'image/png')),
  )
  deleted.clear()

  // Two hours on: every photo is past the hour an intake may take to commit.
  const later = new Date(Date.now() + 2 * hour)
  const removed = await Promise.all([removeOrphanPhotos(a, later), removeOrphanPhotos(b, later)])

  expect(removed[0] + removed[1]).toBe(orphans.length)
  expect(Object.fromEntries(deleted)).toEqual(Object.fromEntries(orphans.map((k) => [k, 1])))
  const left = await b.photos.list(folder, new Date(Date.now() + 3 * hour))
  expect(left.sort()).toEqual([...referenced].sort())
  for (const key of referenced) expect(await a.photos.get(key)).toBeDefined()

  // The lock was let go: the next sweep runs, on either replica.
  await b.photos.put(`${folder}/orphan-late`, png().bytes, 'image/png')
  expect(await removeOrphanPhotos(b, later)).toBe(1)
  expect(await removeOrphanPhotos(a, later)).toBe(0)
})

it('two replicas sweeping drafts at once remove each leftover draft photo once', async () => {
  const prefix = `drafts${randomBytes(4).toString('hex')}/`
  const [a, b] = [replica(prefix), replica(prefix)]
  const folder = draftPhotoFolderOf(new Date())
  // Left by a crash between a draft's deletion and its photos'.
  const leftovers = Array.from({ length: 8 }, (_, i) => `${folder}/left-${i}`)
  await Promise.all(leftovers.map((key) => a.photos.put(key, png().bytes, 'image/png')))
  deleted.clear()

  const later = new Date(Date.now() + draftLifetimeMs + hour)
  const [one, two] = await Promise.all([sweepExpiredDrafts(a, later), sweepExpiredDrafts(b, later)])

  expect(one.photos + two.photos).toBe(leftovers.length)
  expect(Object.fromEntries(deleted)).toEqual(Object.fromEntries(leftovers.map((k) => [k, 1])))
  expect(await a.photos.list(folder, new Date(Date.now() + 3 * hour))).toEqual([])
})

it('two replicas erasing cases past retention at once delete the photos of each case once', async () => {
  const prefix = `erasure${randomBytes(4).toString('hex')}/`
  const [a, b] = [replica(prefix), replica(prefix)]
  const fourYearsAgo = new Date(Date.now() - 4 * 365 * 24 * hour)
  const folder = photoFolderOf(fourYearsAgo)
  const photosOf = (n: number) => [1, 2].map((i) => `${folder}/case-${n}-${i}`)
  const ids: string[] = []
  for (let n = 0; n < 6; n++) ids.push(await insertComplaintWithPhotos(photosOf(n), fourYearsAgo))
  const photos = ids.flatMap((_, n) => photosOf(n))
  await Promise.all(photos.map((key) => a.photos.put(key, png().bytes, 'image/png')))
  deleted.clear()

  const erased = await Promise.all([
    erasePersonalDataPastRetention(a, { batchSize: 2 }),
    erasePersonalDataPastRetention(b, { batchSize: 2 }),
  ])

  expect(erased[0] + erased[1]).toBe(ids.length)
  expect(Object.fromEntries(deleted)).toEqual(Object.fromEntries(photos.map((k) => [k, 1])))
  for (const key of photos) expect(await b.photos.get(key)).toBeUndefined()
  const stamped = await t.deps.db
    .selectFrom('complaints')
    .select('personalDataErasedAt')
    .where('id', 'in', ids)
    .execute()
  expect(stamped.every((c) => c.personalDataErasedAt !== null)).toBe(true)
})
