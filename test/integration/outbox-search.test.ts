import { mkdtemp, rm } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { createSearchClient, ensureIndex } from '../../api/search/client.ts'
import { applyEnterpriseRecords } from '../../api/services/enterprises/apply.ts'
import { importEnterpriseList } from '../../api/services/enterprises/import-file.ts'
import { listColumns } from '../../api/services/enterprises/import/columns.ts'
import { outboxHandlers } from '../../api/worker/index.ts'
import { createOutboxWorker, type OutboxWorker } from '../../api/worker/outbox-worker.ts'
import { generateDemoRecords } from '../../scripts/demo/generate.ts'
import { startEmbeddedMeili, type EmbeddedMeiliHandle } from '../../scripts/stack/meilisearch.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'

const root = path.resolve(import.meta.dirname, '../..')
const records = generateDemoRecords(60)
const target = records.find((r) => r.status === 'active' && r.name !== '莲都区万象菜场')!

let t: TestContext
let meili: EmbeddedMeiliHandle
let meiliDir: string
let worker: OutboxWorker
/** What set-up started, stopped in reverse even if set-up failed half-way. */
const teardown: Array<() => Promise<unknown>> = []
let app: ReturnType<typeof createApp>

async function statusInSearch(name: string, uscc: string): Promise<string | undefined> {
  const res = await app.request(`/api/search?q=${encodeURIComponent(name)}&limit=50`)
  if (res.status !== 200) return undefined
  const body = (await res.json()) as { enterprises: { uscc: string; status: string }[] }
  return body.enterprises.find((e) => e.uscc === uscc)?.status
}

async function waitFor<T>(probe: () => Promise<T>, done: (v: T) => boolean, timeoutMs: number) {
  const started = Date.now()
  for (;;) {
    const value = await probe()
    if (done(value)) return Date.now() - started
    if (Date.now() - started > timeoutMs) throw new Error(`not reached within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

// This file runs its own Meilisearch, so it can stop and restart it without disturbing others.
beforeAll(async () => {
  meiliDir = await mkdtemp(path.join(root, '.data', 'test', 'outbox-meili-'))
  teardown.push(() => rm(meiliDir, { recursive: true, force: true }))
  meili = await startEmbeddedMeili({ dir: meiliDir, cacheDir: path.join(root, '.data', 'bin') })
  teardown.push(() => meili.stop())
  t = await createTestContext()
  teardown.push(() => t.cleanup())
  t.deps.search = createSearchClient({
    url: meili.url,
    apiKey: meili.masterKey,
    prefix: t.deps.config.MEILI_INDEX_PREFIX,
  })
  await ensureIndex(t.deps.search, 'enterprises')
  await ensureIndex(t.deps.search, 'notices')
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
  await applyEnterpriseRecords({
    ctx: t.deps,
    input: { records, source: 'test', today: '2026-11-26' },
  })
  await waitFor(
    () => statusInSearch(target.name, target.uscc),
    (s) => s === 'active',
    10_000,
  )
})

afterAll(async () => {
  for (const stop of teardown.reverse()) await stop()
})

describe('the outbox keeps the public search index in step with PostgreSQL', () => {
  it('shows a revocation made through the import in /api/search within 5 s, with no manual step', async () => {
    // The bureau's list, as the import reads it, with this business now 撤销.
    const cells = [
      target.uscc,
      target.name,
      target.countyCode,
      target.sectorCode,
      target.address,
      target.certifiedAt,
      target.validUntil,
      '撤销',
      '2026-11-26',
      '计量作弊',
    ]
    const outcome = await importEnterpriseList({
      ctx: t.deps,
      input: {
        fileName: '撤销名单.csv',
        today: '2026-11-26',
        dryRun: false,
        table: {
          rows: [
            { number: 1, cells: Object.values(listColumns).map((c) => c.header) },
            { number: 2, cells },
          ],
        },
      },
    })
    expect(outcome.ok && outcome.result.changed).toEqual([target.uscc])
    const elapsed = await waitFor(
      () => statusInSearch(target.name, target.uscc),
      (s) => s === 'revoked',
      5_000,
    )
    expect(elapsed).toBeLessThan(5_000)
  })

  it('delivers a change made while Meilisearch is down once it is back', async () => {
    const other = records.find((r) => r.status === 'active' && r.uscc !== target.uscc)!
    await meili.stop()
    await applyEnterpriseRecords({
      ctx: t.deps,
      input: {
        records: [{ ...other, status: 'suspended', reason: '整改期间' }],
        source: 'test',
        today: '2026-11-26',
      },
    })
    const ready = await app.request('/api/ready')
    expect(ready.status).toBe(503)
    expect(await ready.json()).toMatchObject({
      checks: { postgres: 'ok', meilisearch: 'down' },
      message: 'Meilisearch 无响应',
    })
    // The worker tries, fails and keeps the message pending with the error, not lost.
    await waitFor(
      () =>
        t.deps.db
          .selectFrom('outbox')
          .select(['state', 'attempts', 'lastError'])
          .where('aggregateKey', '=', `enterprise:${other.uscc}`)
          .where('state', '=', 'pending')
          .executeTakeFirst(),
      (row) => row !== undefined && row.attempts >= 1 && row.lastError !== null,
      10_000,
    )
    meili = await startEmbeddedMeili({
      dir: meiliDir,
      cacheDir: path.join(root, '.data', 'bin'),
      port: meili.port,
    })
    await waitFor(
      () => statusInSearch(other.name, other.uscc),
      (s) => s === 'suspended',
      30_000,
    )
    // The worker deletes a message just after Meilisearch confirms it: every message is
    // delivered, none left pending or dead.
    await waitFor(
      () => t.deps.db.selectFrom('outbox').select('state').execute(),
      (left) => left.length === 0,
      5_000,
    )
  })
})
