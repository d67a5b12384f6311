import { readdir } from 'node:fs/promises'
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { fileComplaint } from '../../api/services/complaints/file.ts'
import { applyEnterpriseRecords } from '../../api/services/enterprises/apply.ts'
import { generateDemoRecords } from '../../scripts/demo/generate.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { jpeg } from '../unit/photos-fixtures.ts'

let t: TestContext
const business = generateDemoRecords(3)[0]!

beforeAll(async () => {
  t = await createTestContext()
  await applyEnterpriseRecords({
    ctx: t.deps,
    input: { records: [business], source: 'test', today: '2026-11-26' },
  })
})
afterAll(() => t.cleanup())

const storedPhotos = async () =>
  (await readdir(t.deps.config.PHOTO_DIR!, { recursive: true }).catch(() => [])).filter((f) =>
    /-1\.\w+$/.test(f),
  )

/**
 * Files a 举报 with a photo while another transaction holds the named business's row, so the
 * filing waits inside file_complaints; `interrupt` is then applied to its backend.
 */
async function fileWhileBlocked(interrupt: 'pg_cancel_backend' | 'pg_terminate_backend') {
  const locker = new pg.Client({ connectionString: t.databaseUrl })
  // Another session watches: inside the locker's transaction pg_stat_activity would not change.
  const watcher = new pg.Client({ connectionString: t.databaseUrl })
  await Promise.all([locker.connect(), watcher.connect()])
  try {
    await locker.query('BEGIN')
    await locker.query('UPDATE enterprises SET complaint_count = complaint_count WHERE uscc = $1', [
      business.uscc,
    ])
    const filing = fileComplaint({
      ctx: t.deps,
      input: {
        fields: {
          kind: 'report',
          category: 'short_weight',
          county: '331102',
          merchantName: business.name,
          merchantUscc: business.uscc,
          address: '莲都区测试菜场',
          occurredAt: '2026-11-20T09:30',
          description: `连接中断测试：${interrupt}`,
          consent: true,
        },
        photos: [{ name: 'scale.jpg', declaredType: 'image/jpeg', bytes: jpeg().bytes }],
        clientAddress: '192.0.2.77',
      },
    }).then(
      () => undefined,
      (error: unknown) => error as Error & { code?: string },
    )
    for (let waited = 0; ; waited += 50) {
      const { rows } = await watcher.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity
         WHERE wait_event_type = 'Lock' AND query LIKE '%file_complaints%'`,
      )
      if (rows[0]) {
        await watcher.query(`SELECT ${interrupt}($1)`, [rows[0].pid])
        break
      }
      if (waited > 10_000) throw new Error('the filing never waited for the lock')
      await new Promise((r) => setTimeout(r, 50))
    }
    return await filing
  } finally {
    await locker.query('ROLLBACK').catch(() => undefined)
    await Promise.all([locker.end(), watcher.end()])
  }
}

it('deletes the photos of a filing the database rolled back', async () => {
  const before = await storedPhotos()
  const error = await fileWhileBlocked('pg_cancel_backend')
  expect(error?.code).toBe('57014') // query_canceled: the statement, and the complaint, undone
  expect(await storedPhotos()).toEqual(before)
})

it('keeps the photos when the connection is lost and the filing may have committed', async () => {
  const before = await storedPhotos()
  const error = await fileWhileBlocked('pg_terminate_backend')
  expect(error?.code).toBe('57P01')
  const after = await storedPhotos()
  expect(after).toHaveLength(before.length + 1)
  expect(t.logLines.some((l) => l.includes('complaint outcome unknown'))).toBe(true)
})
