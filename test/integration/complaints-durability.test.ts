import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inject } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { parseConfig } from '../../api/config.ts'
import { createLogger } from '../../api/logger.ts'
import { completeDeps } from '../../api/wiring/deps-from-config.ts'
import { createSearchClient } from '../../api/search/client.ts'
import { createDb } from '../../db/client.ts'
import { migrateToLatest } from '../../db/migrate.ts'
import {
  databaseUrl,
  startDataDirPostgres,
  type EmbeddedPostgresHandle,
} from '../../scripts/stack/postgres.ts'
import pg from 'pg'

const root = path.resolve(import.meta.dirname, '../..')
const total = 300
const concurrency = 16
/** After this many answers, PostgreSQL is shut down the hard way (SIGQUIT: immediate shutdown). */
const killAfter = 80

let dir: string
let server: EmbeddedPostgresHandle
let deps: ReturnType<typeof completeDeps>
let app: ReturnType<typeof createApp>

async function postmasterPid(): Promise<number> {
  const text = await readFile(path.join(dir, 'postgres', 'data', 'postmaster.pid'), 'utf8')
  return Number(text.split('\n')[0])
}

function alive(pid: number) {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(root, '.data', 'test', 'durability-'))
  // Run as root, PostgreSQL runs as its own user, which must be able to reach its folder.
  await chmod(dir, 0o755)
  server = await startDataDirPostgres(dir)
  const admin = new pg.Client({ connectionString: server.url })
  await admin.connect()
  await admin.query('CREATE DATABASE durability')
  await admin.end()
  const url = databaseUrl(server.url, 'durability')
  const config = parseConfig({
    NODE_ENV: 'test',
    DATABASE_URL: url,
    MEILI_URL: inject('meiliUrl'),
    MEILI_MASTER_KEY: inject('meiliKey'),
    MEILI_INDEX_PREFIX: `dur_${randomBytes(3).toString('hex')}_`,
    LOG_LEVEL: 'silent',
    PII_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    PII_HASH_KEY: randomBytes(32).toString('base64'),
    PHOTO_DIR: path.join(dir, 'photos'),
    COMPLAINT_LIMIT_PER_ADDRESS: '0',
    COMPLAINT_LIMIT_PER_PHONE: '0',
  })
  const db = createDb({ connectionString: url, max: 10 })
  await migrateToLatest(db.withoutPlugins() as never)
  deps = completeDeps(config, {
    db,
    search: createSearchClient({
      url: config.MEILI_URL!,
      apiKey: config.MEILI_MASTER_KEY,
      prefix: config.MEILI_INDEX_PREFIX,
    }),
    logger: createLogger('silent'),
  })
  app = createApp(deps)
}, 120_000)

afterAll(async () => {
  await deps.db.destroy()
  await server.stop().catch(() => undefined)
  await rm(dir, { recursive: true, force: true })
})

const submit = (i: number) =>
  Promise.resolve(
    app.request(
      '/api/complaints',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': `durability-${i}` },
        body: JSON.stringify({
          kind: 'complaint',
          category: 'short_weight',
          county: '331181',
          merchantName: '龙泉农贸市场',
          address: '龙泉市农贸市场',
          occurredAt: '2026-11-26T07:30',
          description: `耐久性测试第 ${i} 份：复秤少了一两。`,
          name: '赵六',
          phone: `1380000${String(i).padStart(4, '0')}`,
          consent: true,
        }),
      },
      { clientAddress: '127.0.0.1' },
    ),
  ).then(
    async (res) => ({
      i,
      status: res.status,
      trackingNo:
        res.status === 201 ? ((await res.json()) as { trackingNo: string }).trackingNo : undefined,
    }),
    () => ({ i, status: 0, trackingNo: undefined }),
  )

describe('an acknowledged complaint is never lost', () => {
  it('keeps every 201 exactly once when PostgreSQL dies mid-load, and a retry with the same key never duplicates', async () => {
    const answers: Awaited<ReturnType<typeof submit>>[] = []
    let next = 0
    let killed: Promise<void> | undefined
    const crash = async () => {
      const pid = await postmasterPid()
      process.kill(pid, 'SIGQUIT')
      for (let waited = 0; alive(pid) && waited < 20_000; waited += 50) {
        await new Promise((r) => setTimeout(r, 50))
      }
      await new Promise((r) => setTimeout(r, 500))
      // Same folder and port: PostgreSQL replays its WAL and comes back with what it acknowledged.
      server = await startDataDirPostgres(dir, { port: server.port })
    }
    const workers = Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++
        answers.push(await submit(i))
        if (answers.length === killAfter) killed = crash()
        if (killed && answers.length > killAfter) await new Promise((r) => setTimeout(r, 5))
      }
    })
    await Promise.all(workers)
    await killed

    const acknowledged = answers.filter((a) => a.status === 201)
    const failed = answers.filter((a) => a.status !== 201)
    // The crash really hit the load: some submissions failed, with 503 rather than a crash.
    expect(failed.length).toBeGreaterThan(0)
    expect(acknowledged.length).toBeGreaterThan(killAfter / 2)
    expect(failed.every((a) => a.status === 503)).toBe(true)

    const rows = async () =>
      deps.db.selectFrom('complaints').select(['trackingNo', 'description']).execute()
    const stored = new Map((await rows()).map((r) => [r.trackingNo, r.description]))
    for (const a of acknowledged) {
      expect(stored.get(a.trackingNo!)).toContain(`第 ${a.i} 份`)
    }
    const perSubmission = new Map<string, number>()
    for (const description of stored.values()) {
      perSubmission.set(description, (perSubmission.get(description) ?? 0) + 1)
    }
    expect([...perSubmission.values()].every((n) => n === 1)).toBe(true)

    // The citizen retries what failed, with the same key: each submission ends stored once.
    for (const a of failed) {
      const retried = await submit(a.i)
      expect(retried.status).toBe(201)
    }
    const after = await rows()
    expect(after).toHaveLength(total)
    expect(new Set(after.map((r) => r.description)).size).toBe(total)
  })
})
