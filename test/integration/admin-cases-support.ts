import { randomUUID } from 'node:crypto'
import { createApp } from '../../api/http/app.ts'
import type { CaseDetail, CaseQueue } from '../../api/services/admin/cases/schemas.ts'
import { outboxHandlers } from '../../api/worker/index.ts'
import { createOutboxWorker, type OutboxWorker } from '../../api/worker/outbox-worker.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { jpeg } from '../unit/photos-fixtures.ts'

/** 莲都区 and 青田县: the two counties the console tests play out between. */
export const countyA = '331102'
export const countyB = '331121'

export type App = ReturnType<typeof createApp>
export type Headers = Record<string, string>

export interface CasesWorld {
  t: TestContext
  app: App
  worker?: OutboxWorker
  stop: () => Promise<void>
}

/**
 * The outbox as the worker runs it, until nothing is left: files complaints under their subjects
 * (which the open-case count reads), queues SMS, indexes.
 */
export async function drainOutbox(t: TestContext) {
  const worker = createOutboxWorker({
    db: t.deps.db,
    handlers: outboxHandlers(t.deps),
    logger: t.deps.logger,
    minBatchIntervalMs: 0,
  })
  while ((await worker.runOnce()) > 0);
}

/** A database and index names of the file's own; with `worker`, the outbox drains to the index. */
export async function casesWorld(options: { worker?: boolean } = {}): Promise<CasesWorld> {
  const t = await createTestContext({
    env: { COMPLAINT_LIMIT_PER_ADDRESS: '1000', COMPLAINT_LIMIT_PER_PHONE: '1000' },
  })
  const app = createApp(t.deps)
  let worker: OutboxWorker | undefined
  if (options.worker) {
    worker = createOutboxWorker({
      db: t.deps.db,
      handlers: outboxHandlers(t.deps),
      logger: t.deps.logger,
      databaseUrl: t.databaseUrl,
      pollIntervalMs: 250,
    })
    worker.start()
  }
  return {
    t,
    app,
    ...(worker ? { worker } : {}),
    stop: async () => {
      await worker?.stop()
      await t.cleanup()
    },
  }
}

interface Filed {
  id: string
  trackingNo: string
  queryCode: string
  dueAt: string
}

let phoneCounter = 0
/** A different phone each time, so the per-phone limit never counts against a test. */
const nextPhone = () => `139${String(10_000_000 + (phoneCounter++ % 89_999_999)).padStart(8, '0')}`

/** A 投诉 (or, with `kind: 'report'`, an anonymous 举报) filed through the public API. */
export async function fileCase(app: App, t: TestContext, overrides: Record<string, unknown> = {}) {
  const body = {
    kind: 'complaint',
    category: 'short_weight',
    county: countyA,
    merchantName: '城东菜场 12 号摊位',
    address: '莲都区城东菜场 12 号',
    occurredAt: '2026-11-20T09:30',
    description: `买了一斤猪肉，回家复秤只有八两。（${randomUUID().slice(0, 8)}）`,
    name: '王小明',
    phone: nextPhone(),
    consent: true,
    ...overrides,
  }
  if (body.kind === 'report' && !('name' in overrides)) {
    Reflect.deleteProperty(body, 'name')
    Reflect.deleteProperty(body, 'phone')
  }
  const res = await app.request(
    '/api/complaints',
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    },
    { clientAddress: '192.0.2.80' },
  )
  if (res.status !== 201) throw new Error(`filing failed: ${res.status} ${await res.text()}`)
  const receipt = (await res.json()) as Omit<Filed, 'id'>
  return { ...receipt, id: await caseId(t, receipt.trackingNo) }
}

/** A 投诉 with one photo, filed as the web form files it. */
export async function fileCaseWithPhoto(app: App, t: TestContext, county: string) {
  const form = new FormData()
  const fields = {
    kind: 'complaint',
    category: 'rigged_instrument',
    county,
    merchantName: '带照片的摊位',
    address: '菜场 3 号',
    occurredAt: '2026-11-20T09:30',
    description: `秤上装了遥控器。（${randomUUID().slice(0, 8)}）`,
    name: '赵大海',
    phone: nextPhone(),
    consent: 'on',
  }
  for (const [k, v] of Object.entries(fields)) form.set(k, v)
  form.append('photos', new File([Buffer.from(jpeg().bytes)], 'a.jpg', { type: 'image/jpeg' }))
  const res = await app.request(
    '/api/complaints',
    { method: 'POST', body: form },
    { clientAddress: '192.0.2.81' },
  )
  if (res.status !== 303) throw new Error(`filing failed: ${res.status} ${await res.text()}`)
  const trackingNo = res.headers.get('location')!.split('/').at(-1)!
  return { id: await caseId(t, trackingNo), trackingNo }
}

async function caseId(t: TestContext, trackingNo: string) {
  const row = await t.deps.db
    .selectFrom('complaints')
    .select('id')
    .where('trackingNo', '=', trackingNo)
    .executeTakeFirstOrThrow()
  return row.id
}

export const getCase = (app: App, headers: Headers, id: string) =>
  app.request(`/api/admin/cases/${id}`, { headers })

export async function caseOf(app: App, headers: Headers, id: string): Promise<CaseDetail> {
  const res = await getCase(app, headers, id)
  if (res.status !== 200) throw new Error(`GET case ${id}: ${res.status} ${await res.text()}`)
  return (await res.json()) as CaseDetail
}

export const act = (app: App, headers: Headers, id: string, body: Record<string, unknown>) =>
  app.request(`/api/admin/cases/${id}/actions`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })

export async function queue(app: App, headers: Headers, query: Record<string, string> = {}) {
  const res = await app.request(`/api/admin/cases?${new URLSearchParams(query).toString()}`, {
    headers,
  })
  return { status: res.status, body: (await res.json()) as CaseQueue & { error?: unknown } }
}

export async function waitFor<T>(
  probe: () => Promise<T>,
  done: (v: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const started = Date.now()
  for (;;) {
    const value = await probe()
    if (done(value)) return value
    if (Date.now() - started > timeoutMs) throw new Error(`not reached within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** The audit entries of a case, oldest first. */
export function auditOf(t: TestContext, complaintId: string) {
  return t.deps.db
    .selectFrom('auditLog')
    .select(['action', 'username', 'detail', 'clientAddress'])
    .where('complaintId', '=', complaintId)
    .orderBy('id')
    .execute()
}
