import { randomBytes } from 'node:crypto'
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateWebhookSecret } from '../../api/hotline/signature.ts'
import { outboxPolicy } from '../../api/services/shared/queue-policy.ts'
import { ensureAppDatabase } from '../../scripts/stack/app-role.ts'
import { startEmbeddedMeili, type EmbeddedMeiliHandle } from '../../scripts/stack/meilisearch.ts'
import {
  appDatabase,
  appRole,
  startDataDirPostgres,
  superuser,
  type EmbeddedPostgresHandle,
} from '../../scripts/stack/postgres.ts'
import { alive, startProduct, stopProcessTree, type RunningProduct } from '../support/processes.ts'

const root = path.resolve(import.meta.dirname, '../..')
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

let dataDir = ''
let postgres: EmbeddedPostgresHandle | undefined
let meili: EmbeddedMeiliHandle | undefined
let product: RunningProduct | undefined
let databaseUrl = ''

// One PostgreSQL and one Meilisearch started here, and the product started apart from them with
// DATABASE_URL and MEILI_URL, as a production replica is: the test can then stop and restart the
// database under the running product.
beforeAll(async () => {
  await mkdir(path.join(root, '.data', 'test'), { recursive: true })
  dataDir = await mkdtemp(path.join(root, '.data', 'test', 'pg-restart-'))
  await chmod(dataDir, 0o755) // run as root, PostgreSQL runs as its own user
  const started = await startDataDirPostgres(path.join(dataDir, 'services'))
  postgres = started
  databaseUrl = await ensureAppDatabase({
    superuserUrl: started.url,
    superuser,
    role: appRole,
    password: started.secrets.appPassword,
    database: appDatabase,
  })
  meili = await startEmbeddedMeili({
    dir: path.join(dataDir, 'services', 'meilisearch'),
    cacheDir: path.join(root, '.data', 'bin'),
  })
  product = await startProduct({
    command: process.execPath,
    args: ['--import', 'tsx', 'scripts/start.ts'],
    cwd: root,
    dataDir: path.join(dataDir, 'replica'),
    env: {
      DATABASE_URL: databaseUrl,
      MEILI_URL: meili.url,
      MEILI_MASTER_KEY: meili.masterKey,
      PII_KEYS: `restart:${randomBytes(32).toString('base64')}`,
      PII_HASH_KEY: randomBytes(32).toString('base64'),
      HOTLINE_WEBHOOK_SECRET: generateWebhookSecret(),
      HOTLINE_CALLBACK_SECRET: generateWebhookSecret(),
    },
  })
}, 400_000)

afterAll(async () => {
  await stopProcessTree(product?.child, 20_000)
  await meili?.stop()
  await postgres?.stop()
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
}, 60_000)

let filed = 0
/** Files report number n (anonymous) from an address of its own; answers status and body. */
async function fileReport() {
  const n = ++filed
  const res = await fetch(`${product!.base}/api/complaints`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'idempotency-key': `restart-${n}-${dataDir.slice(-6)}`,
    },
    body: JSON.stringify({
      kind: 'report',
      category: 'short_weight',
      county: '331102',
      merchantName: `重启测试摊位 ${n}`,
      address: '莲都区重启测试菜场',
      occurredAt: '2026-11-20T09:30',
      description: `数据库重启前后提交的第 ${n} 份举报。`,
      consent: true,
    }),
  })
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.text() }
}

const getInspections = () => fetch(`${product!.base}/api/inspections`)

describe('PostgreSQL restarted under a running replica', () => {
  it('answers 503 with Retry-After while it is down, recovers on its own, and loses nothing acknowledged', async () => {
    const acknowledged: string[] = []
    for (let i = 0; i < 5; i++) {
      const answer = await fileReport()
      expect(answer.status, answer.body).toBe(201)
      acknowledged.push((JSON.parse(answer.body) as { trackingNo: string }).trackingNo)
    }
    expect((await getInspections()).status).toBe(200)
    const pid = product!.child.pid!
    const port = postgres!.port

    await postgres!.stop()
    postgres = undefined
    const down = await fileReport()
    expect(down.status, down.body).toBe(503)
    expect(Number(down.retryAfter)).toBeGreaterThan(0)
    expect(down.body).toContain('SERVICE_UNAVAILABLE')
    const read = await getInspections()
    expect(read.status).toBe(503)
    expect(Number(read.headers.get('retry-after'))).toBeGreaterThan(0)

    postgres = await startDataDirPostgres(path.join(dataDir, 'services'), { port })
    // The replica is the same process, and its pools reconnect on their own.
    const deadline = Date.now() + 60_000
    let after = await fileReport()
    while (after.status !== 201 && Date.now() < deadline) {
      await sleep(1_000)
      after = await fileReport()
    }
    expect(after.status, after.body).toBe(201)
    acknowledged.push((JSON.parse(after.body) as { trackingNo: string }).trackingNo)
    expect((await getInspections()).status).toBe(200)
    expect(product!.child.pid).toBe(pid)
    expect(alive(pid)).toBe(true)

    // Every complaint acknowledged before the stop and after it is stored, once.
    const client = new pg.Client({ connectionString: databaseUrl })
    await client.connect()
    try {
      const { rows } = await client.query<{ trackingNo: string }>(
        'SELECT tracking_no AS "trackingNo" FROM complaints WHERE tracking_no = ANY($1)',
        [acknowledged],
      )
      expect(rows.map((r) => r.trackingNo).sort()).toEqual([...acknowledged].sort())
    } finally {
      await client.end()
    }
    // And the worker, whose connections went down with the database too, indexes every one. A
    // batch it had claimed when the database stopped waits out its lease, then is done again.
    const indexed = async () => {
      const res = await fetch(
        `${meili!.url}/indexes/complaints/documents?limit=1000&fields=trackingNo`,
        { headers: { authorization: `Bearer ${meili!.masterKey}` } },
      )
      if (!res.ok) return []
      const { results } = (await res.json()) as { results: { trackingNo: string }[] }
      return results.map((d) => d.trackingNo)
    }
    const indexDeadline = Date.now() + outboxPolicy.leaseSeconds * 1000 + 30_000
    let found = await indexed()
    while (acknowledged.some((no) => !found.includes(no)) && Date.now() < indexDeadline) {
      await sleep(1_000)
      found = await indexed()
    }
    const missing = acknowledged.flatMap((no, i) => (found.includes(no) ? [] : [`#${i + 1} ${no}`]))
    expect(missing).toEqual([])
  }, 400_000)
})
