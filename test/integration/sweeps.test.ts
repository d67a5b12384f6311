import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { utimes } from 'node:fs/promises'
import path from 'node:path'
import { sql } from 'kysely'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { photoFolderOf } from '../../api/services/complaints/orphan-photos.ts'
import { pruneAbuseRecords, runBackgroundWork } from '../../api/worker/index.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'

let t: TestContext
const hour = 3600_000

beforeAll(async () => {
  t = await createTestContext()
})
afterAll(() => t.cleanup())

it('deletes limit windows and idempotency records older than a day, and keeps fresh ones', async () => {
  const now = Date.now()
  const window = (hoursAgo: number) => new Date(Math.floor((now - hoursAgo * hour) / hour) * hour)
  await t.deps.db
    .insertInto('rateLimitHits')
    .values([
      { bucket: 'test:old', windowStart: window(30), hits: 3 },
      { bucket: 'test:fresh', windowStart: window(1), hits: 2 },
    ])
    .execute()
  // Idempotency records point at a complaint: borrow one made for the purpose.
  const complaint = await sql<{ id: string }>`
    INSERT INTO complaints (tracking_no, query_code_hash, kind, category, county_code,
      merchant_name, address, occurred_at, description, due_at)
    VALUES ('JL20261127-99999', ${randomBytes(32)}, 'report', 'other', '331102', '清理测试',
      '清理测试', now(), '清理测试', now() + interval '1 day')
    RETURNING id
  `.execute(t.deps.db)
  const id = complaint.rows[0]!.id
  const record = (key: string, hoursAgo: number) => ({
    scope: 'complaint',
    key,
    requestHash: randomBytes(32),
    complaintId: id,
    piiKeyId: 'test',
    responseSealed: randomBytes(16),
    createdAt: new Date(now - hoursAgo * hour),
  })
  await t.deps.db
    .insertInto('idempotencyKeys')
    .values([record('sweep-test-old', 25), record('sweep-test-fresh', 2)])
    .execute()

  expect(await pruneAbuseRecords(t.deps, now)).toBe(1)
  const windows = await t.deps.db.selectFrom('rateLimitHits').select('bucket').execute()
  expect(windows.map((w) => w.bucket)).toEqual(['test:fresh'])
  const keys = await t.deps.db.selectFrom('idempotencyKeys').select('key').execute()
  expect(keys.map((k) => k.key)).toEqual(['sweep-test-fresh'])
})

it('runs every sweep as the background work starts: personal data past retention, orphaned photos', async () => {
  const fourYearsAgo = new Date(Date.now() - 4 * 365 * 24 * hour)
  const ended = await sql<{ id: string }>`
    INSERT INTO complaints (tracking_no, query_code_hash, kind, category, county_code,
      merchant_name, address, occurred_at, description, pii_key_id, name_sealed, phone_sealed,
      phone_hash, status, received_at, due_at)
    VALUES ('JL20221127-99998', ${randomBytes(32)}, 'complaint', 'other', '331102', '清理测试',
      '清理测试', ${fourYearsAgo}, '清理测试', 'test', ${randomBytes(40)}, ${randomBytes(40)},
      ${randomBytes(32)}, 'closed', ${fourYearsAgo}, ${new Date(fourYearsAgo.getTime() + 240 * hour)})
    RETURNING id
  `.execute(t.deps.db)
  const orphan = `${photoFolderOf(new Date())}/sweep-orphan-1`
  await t.deps.photos.put(orphan, Buffer.from('photo bytes'), 'image/jpeg')
  const { PHOTO_DIR, DATA_DIR } = t.deps.config
  const file = path.join(PHOTO_DIR ?? path.join(DATA_DIR, 'photos'), ...orphan.split('/')) + '.jpg'
  await utimes(file, new Date(Date.now() - 2 * hour), new Date(Date.now() - 2 * hour))

  const work = runBackgroundWork({ deps: t.deps, databaseUrl: t.databaseUrl })
  try {
    const erasedAt = async () =>
      (
        await t.deps.db
          .selectFrom('complaints')
          .select('personalDataErasedAt')
          .where('id', '=', ended.rows[0]!.id)
          .executeTakeFirstOrThrow()
      ).personalDataErasedAt
    for (let i = 0; i < 100 && ((await erasedAt()) === null || existsSync(file)); i++) {
      await new Promise((r) => setTimeout(r, 100))
    }
    expect(await erasedAt()).toBeInstanceOf(Date)
    expect(existsSync(file)).toBe(false)
  } finally {
    await work.stop()
  }
})
