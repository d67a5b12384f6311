import { mkdtemp, rm } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { phoneHash } from '../../api/privacy/pii.ts'
import { createSearchClient, ensureIndex, indexKinds } from '../../api/search/client.ts'
import { complaintChangedTopic, complaintKey } from '../../api/search/complaint-indexer.ts'
import { reindexAll } from '../../api/search/reindex.ts'
import { outboxHandlers } from '../../api/worker/index.ts'
import { createOutboxWorker, type OutboxWorker } from '../../api/worker/outbox-worker.ts'
import { countComplaints } from '../../db/queries/complaints.ts'
import { enqueue } from '../../db/queries/outbox.ts'
import { startEmbeddedMeili, type EmbeddedMeiliHandle } from '../../scripts/stack/meilisearch.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'

const root = path.resolve(import.meta.dirname, '../..')

let t: TestContext
let meili: EmbeddedMeiliHandle
let meiliDir: string
let worker: OutboxWorker
let app: ReturnType<typeof createApp>
const teardown: Array<() => Promise<unknown>> = []
/** Every query code handed out in this file, to look for in the logs. */
const issuedCodes: string[] = []

const name = '李四海'
const phone = '13955501234'
/** A resident may type numbers into the story; the index must not carry them either. */
const typedPhone = '13677778888'
const typedId = '33110219800101123X'

function submit(overrides: Record<string, unknown> = {}) {
  const answer = app.request(
    '/api/complaints',
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        kind: 'complaint',
        category: 'fuel_dispenser',
        county: '331121',
        merchantName: '青田鹤城加油站',
        address: '青田县鹤城街道',
        occurredAt: '2026-11-25T18:00',
        description: `加了 200 元的油，油量明显不足。可打我另一个号码 ${typedPhone}，身份证 ${typedId}。`,
        name,
        phone,
        consent: true,
        ...overrides,
      }),
    },
    { clientAddress: '192.0.2.44' },
  )
  return Promise.resolve(answer).then(async (res) => {
    if (res.status === 201) {
      issuedCodes.push(((await res.clone().json()) as { queryCode: string }).queryCode)
    }
    return res
  })
}

async function waitFor<T>(probe: () => Promise<T>, done: (v: T) => boolean, timeoutMs: number) {
  const started = Date.now()
  for (;;) {
    const value = await probe()
    if (done(value)) return value
    if (Date.now() - started > timeoutMs) throw new Error(`not reached within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

const indexedCount = async () => {
  try {
    const stats = await t.deps.search.meili.index(t.deps.search.indexName('complaints')).getStats()
    return stats.numberOfDocuments
  } catch {
    return -1
  }
}

// Its own Meilisearch, so the test can stop and restart it without disturbing other files.
beforeAll(async () => {
  meiliDir = await mkdtemp(path.join(root, '.data', 'test', 'complaints-meili-'))
  teardown.push(() => rm(meiliDir, { recursive: true, force: true }))
  meili = await startEmbeddedMeili({ dir: meiliDir, cacheDir: path.join(root, '.data', 'bin') })
  teardown.push(() => meili.stop())
  t = await createTestContext({ env: { COMPLAINT_LIMIT_PER_ADDRESS: '1000' } })
  teardown.push(() => t.cleanup())
  t.deps.search = createSearchClient({
    url: meili.url,
    apiKey: meili.masterKey,
    prefix: t.deps.config.MEILI_INDEX_PREFIX,
  })
  for (const kind of indexKinds) await ensureIndex(t.deps.search, kind)
  app = createApp(t.deps)
  worker = createOutboxWorker({
    db: t.deps.db,
    handlers: outboxHandlers(t.deps),
    logger: t.deps.logger,
    databaseUrl: t.databaseUrl,
    pollIntervalMs: 250,
  })
  worker.start()
  teardown.push(() => worker.stop())
})

afterAll(async () => {
  for (const stop of teardown.reverse()) await stop()
})

describe('the private complaints index', () => {
  it('receives each complaint through the outbox, without name, phone or typed-in numbers', async () => {
    const res = await submit()
    expect(res.status).toBe(201)
    const { trackingNo, queryCode } = (await res.json()) as {
      trackingNo: string
      queryCode: string
    }
    const index = t.deps.search.meili.index(t.deps.search.indexName('complaints'))
    const hits = await waitFor(
      async () => (await index.search(trackingNo, { filter: ['county = "331121"'] })).hits,
      (h) => h.length === 1,
      10_000,
    )
    const document = JSON.stringify(hits[0])
    expect(hits[0]).toMatchObject({ trackingNo, status: 'received', kind: 'complaint' })
    const hash = phoneHash(t.deps.privacy.hashKey, phone).toString('hex')
    for (const secret of [name, phone, typedPhone, typedId, hash, queryCode]) {
      expect(document).not.toContain(secret)
    }
    expect(document).toContain('136****8888')

    // Filters handlers will use are in place.
    const due = await index.search('', {
      filter: [
        `status = "received"`,
        `category = "fuel_dispenser"`,
        `dueAt > ${Math.floor(Date.now() / 1000)}`,
      ],
    })
    expect(due.hits.map((h) => String(h.trackingNo))).toContain(trackingNo)
  })

  it('is never reachable from the public search route', async () => {
    const res = await app.request(
      `/api/search?q=${encodeURIComponent('青田鹤城加油站 油量明显不足')}`,
    )
    expect(res.status).toBe(200)
    const body = (await res.json()) as Record<string, unknown[]>
    expect(Object.keys(body).sort()).toEqual([
      'enterprises',
      'marketEntities',
      'notices',
      'understood',
    ])
    expect(JSON.stringify(body)).not.toContain('油量明显不足')
  })

  it('keeps taking complaints with Meilisearch stopped, and catches up on its own afterwards', async () => {
    await meili.stop()
    const statuses: number[] = []
    for (let i = 0; i < 5; i++) {
      statuses.push(
        (
          await submit({
            description: `停机期间提交的第 ${i + 1} 份投诉，油量不足。`,
            phone: `1395550130${i}`,
          })
        ).status,
      )
    }
    expect(statuses).toEqual([201, 201, 201, 201, 201])
    await waitFor(
      () =>
        t.deps.db
          .selectFrom('outbox')
          .select(['attempts', 'lastError'])
          .where('topic', '=', 'search.complaint.changed')
          .where('state', '=', 'pending')
          .execute(),
      (rows) => rows.length > 0 && rows.some((r) => r.attempts >= 1 && r.lastError !== null),
      10_000,
    )
    meili = await startEmbeddedMeili({
      dir: meiliDir,
      cacheDir: path.join(root, '.data', 'bin'),
      port: meili.port,
    })
    const source = await countComplaints(t.deps.db)
    expect(source).toBe(6)
    await waitFor(indexedCount, (n) => n === source, 40_000)
  })

  it('is rebuilt from PostgreSQL by the reindex, counts matching', async () => {
    const result = await reindexAll({
      db: t.deps.db,
      search: t.deps.search,
      logger: t.deps.logger,
      kinds: ['complaints'],
    })
    expect(result.counts).toEqual([{ kind: 'complaints', source: 6, indexed: 6, consistent: true }])
    const hits = await t.deps.search.meili
      .index(t.deps.search.indexName('complaints'))
      .search('', { filter: ['kind = "complaint"'], limit: 10 })
    expect(JSON.stringify(hits.hits)).not.toContain(phone)
  })

  it('drops a complaint no longer in PostgreSQL, and keeps the others of the same batch', async () => {
    const filed = []
    for (const merchantName of ['城西菜场 3 号摊位', '城西菜场 4 号摊位']) {
      const res = await submit({ merchantName })
      expect(res.status).toBe(201)
      filed.push(((await res.json()) as { trackingNo: string }).trackingNo)
    }
    const rows = await t.deps.db
      .selectFrom('complaints')
      .select(['id', 'trackingNo'])
      .where('trackingNo', 'in', filed)
      .orderBy('trackingNo')
      .execute()
    const index = t.deps.search.meili.index(t.deps.search.indexName('complaints'))
    /** The tracking numbers of the two complaints the index holds now. */
    const indexed = async () => {
      const found: string[] = []
      for (const row of rows) {
        const doc = await index.getDocument(row.id).catch(() => undefined)
        if (doc) found.push(doc.trackingNo as string)
      }
      return found
    }
    await waitFor(indexed, (found) => found.length === 2, 10_000)

    // One is removed from PostgreSQL; then both are said to have changed, in one batch.
    await t.deps.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('complaints').where('id', '=', rows[0]!.id).execute()
      await enqueue(
        trx,
        rows.map((r) => ({
          topic: complaintChangedTopic,
          aggregateKey: complaintKey(r.id),
          payload: {},
        })),
      )
    })
    expect(await waitFor(indexed, (found) => found.length === 1, 10_000)).toEqual([
      rows[1]!.trackingNo,
    ])
  })

  it('writes no name, phone, query code or typed-in number to the logs', () => {
    const logs = t.logLines.join('\n')
    expect(logs).toContain('"path":"/api/complaints"')
    for (const secret of [name, phone, typedPhone, typedId]) expect(logs).not.toContain(secret)
    expect(issuedCodes.length).toBe(8)
    for (const code of issuedCodes) {
      expect(logs).not.toContain(code)
      expect(logs).not.toContain(code.replace('-', ''))
    }
  })
})
