import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureIndex } from '../../api/search/client.ts'
import { applyEnterpriseRecords } from '../../api/services/enterprises/apply.ts'
import { outboxHandlers } from '../../api/worker/index.ts'
import { createOutboxWorker } from '../../api/worker/outbox-worker.ts'
import { generateDemoRecords } from '../../scripts/demo/generate.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'

let t: TestContext

beforeAll(async () => {
  t = await createTestContext()
})
afterAll(() => t.cleanup())

describe('enterprise indexer', () => {
  it('retries a batch whose Meilisearch task failed, instead of marking it done', async () => {
    const { meili, indexName } = t.deps.search
    const uid = indexName('enterprises')
    // An index whose primary key no document has: Meilisearch accepts the request, then fails
    // the task. Only waiting for the task's result can notice.
    await meili.deleteIndex(uid).waitTask()
    await meili.createIndex(uid, { primaryKey: 'no_such_field' }).waitTask()

    const [record] = generateDemoRecords(1)
    await applyEnterpriseRecords({
      ctx: t.deps,
      input: { records: [record!], source: 'test', today: '2026-11-26' },
    })
    // Only the search message is under test here, not the grade recompute the import asks for.
    await t.deps.db.deleteFrom('outbox').where('topic', '=', 'credit.recompute').execute()
    const worker = createOutboxWorker({
      db: t.deps.db,
      handlers: outboxHandlers(t.deps),
      logger: t.deps.logger,
    })
    expect(await worker.runOnce()).toBe(1)
    const failed = await t.deps.db
      .selectFrom('outbox')
      .select(['state', 'attempts', 'lastError'])
      .executeTakeFirstOrThrow()
    expect(failed.state).toBe('pending')
    expect(failed.attempts).toBe(1)
    expect(failed.lastError).toMatch(/failed/)

    // Once the index is repaired, the next attempt delivers the document.
    await meili.deleteIndex(uid).waitTask()
    await ensureIndex(t.deps.search, 'enterprises')
    await t.deps.db.updateTable('outbox').set({ availableAt: new Date() }).execute()
    expect(await worker.runOnce()).toBe(1)
    // Handled, the message is gone from the outbox.
    expect(await t.deps.db.selectFrom('outbox').select('state').execute()).toEqual([])
    const doc = await meili.index(uid).getDocument(record!.uscc)
    expect(doc).toMatchObject({ uscc: record!.uscc, name: record!.name })
  })
})
