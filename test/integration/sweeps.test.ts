import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { pruneAbuseRecords } from '../../api/worker/index.ts'
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
