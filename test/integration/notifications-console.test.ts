import { sql } from 'kysely'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { generateWebhookSecret } from '../../api/hotline/signature.ts'
import { createNotificationEndpoint } from '../../api/services/admin/notifications/endpoints.ts'
import { deliverDueNotifications } from '../../api/services/notifications/delivery.ts'
import { enqueueNotice, type HandlerNotice } from '../../api/services/notifications/notice.ts'
import { createOutboxWorker } from '../../api/worker/outbox-worker.ts'
import { outboxHandlers } from '../../api/worker/index.ts'
import { createReceiver, type Receiver } from '../support/hotline.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { signedInOperator, type TestOperator } from '../support/operators.ts'

/**
 * The console's side of notices to handlers (issue 24): recipients set up by a city_admin and
 * audited; a transport whose configuration is unset leaves its notices queued, untried, and the
 * console says how many wait. Only the webhook is configured here: e-mail is unset.
 */

const countyA = '331102' // 莲都区
const countyB = '331121' // 青田县
const webhookSecret = generateWebhookSecret()

let t: TestContext
let app: ReturnType<typeof createApp>
let admin: TestOperator
let handlerA: TestOperator
let handlerB: TestOperator
let robot: Receiver

beforeAll(async () => {
  robot = await createReceiver()
  t = await createTestContext({ env: { NOTIFY_WEBHOOK_SECRET: webhookSecret } })
  app = createApp(t.deps)
  admin = await signedInOperator(t.deps, 'city_admin')
  handlerA = await signedInOperator(t.deps, 'county_handler', countyA)
  handlerB = await signedInOperator(t.deps, 'county_handler', countyB)
})

afterAll(async () => {
  await robot.stop()
  await t.cleanup()
})

beforeEach(async () => {
  robot.received.length = 0
  await t.deps.db.deleteFrom('notificationDeliveries').execute()
  await t.deps.db.deleteFrom('notificationEndpoints').execute()
  await t.deps.db.deleteFrom('outbox').execute()
})

const post = (path: string, as: TestOperator, body: unknown) =>
  app.request(path, {
    method: 'POST',
    headers: { ...as.headers, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })

async function addEndpoint(body: Record<string, unknown>) {
  const res = await post('/api/admin/notifications/endpoints', admin, body)
  expect(res.status, await res.clone().text()).toBe(201)
  return ((await res.json()) as { id: string }).id
}

interface Status {
  transports: {
    transport: string
    configured: boolean
    queued: number
    dead: number
    alert: string | null
  }[]
  endpoints: { id: string; countyCode: string | null; address: string; enabled: boolean }[]
}

async function statusAs(as: TestOperator): Promise<Status> {
  const res = await app.request('/api/admin/notifications', { headers: as.headers })
  expect(res.status).toBe(200)
  return (await res.json()) as Status
}

const notice = (key: string, countyCode: string | null): HandlerNotice => ({
  countyCode,
  type: 'warning.opened',
  title: '预警：某市场电子秤投诉增多',
  text: '最近 48 小时收到 6 件投诉。',
  data: { windowCount: 6 },
  key,
})

async function noticesFannedOut(...notices: HandlerNotice[]) {
  await t.deps.db.transaction().execute(async (trx) => {
    for (const n of notices) await enqueueNotice(trx, n)
  })
  await createOutboxWorker({
    db: t.deps.db,
    handlers: outboxHandlers(t.deps),
    logger: t.deps.logger,
  }).runOnce()
}

const deliveryRows = () =>
  t.deps.db
    .selectFrom('notificationDeliveries')
    .select(['id', 'transport', 'state', 'attempts', 'nextAttemptAt', 'lastAttemptAt'])
    .orderBy('id')
    .execute()

describe('an unset transport', () => {
  it('keeps its notices queued and untried while the configured one delivers, and the console counts them', async () => {
    await addEndpoint({
      countyCode: countyA,
      kind: 'email',
      address: 'a@handlers.example',
      label: '莲都区邮箱',
    })
    await addEndpoint({
      countyCode: null,
      kind: 'email',
      address: 'city@handlers.example',
      label: '市局邮箱',
    })
    await addEndpoint({
      countyCode: countyB,
      kind: 'email',
      address: 'b@handlers.example',
      label: '青田县邮箱',
    })
    await addEndpoint({
      countyCode: countyA,
      kind: 'webhook',
      address: robot.url,
      label: '莲都区值班群',
    })
    await noticesFannedOut(notice('w:1', countyA), notice('w:2', countyA), notice('w:3', countyB))

    const before = await deliveryRows()
    // County A: two notices to its mailbox, the city's mailbox and its robot; county B: one to
    // its mailbox and the city's.
    expect(before.filter((d) => d.transport === 'email')).toHaveLength(6)
    expect(await deliverDueNotifications(t.deps, { now: new Date(Date.now() + 60_000) })).toEqual({
      delivered: 2,
      failed: 0,
    })
    expect(robot.received).toHaveLength(2)
    // The e-mails are exactly as they were: not tried, not counted, not rescheduled.
    const after = await deliveryRows()
    for (const row of before.filter((d) => d.transport === 'email')) {
      expect(after.find((d) => d.id === row.id)).toEqual(row)
      expect(row).toMatchObject({ state: 'pending', attempts: 0, lastAttemptAt: null })
    }

    const city = await statusAs(admin)
    expect(city.transports).toEqual([
      {
        transport: 'email',
        label: '邮件',
        configured: false,
        queued: 6,
        dead: 0,
        alert: '邮件通知未配置：6 条通知正在排队，配置后自动发出。',
      },
      {
        transport: 'webhook',
        label: '群机器人（Webhook）',
        configured: true,
        queued: 0,
        dead: 0,
        alert: null,
      },
      {
        transport: 'sms',
        label: '居民短信',
        configured: false,
        queued: 0,
        dead: 0,
        alert: '居民短信未配置：有短信时会先排队，配置后自动发出。',
      },
    ])
    // A county's handler counts its own recipients' and the city's: 2 + 3 for county A.
    const a = await statusAs(handlerA)
    expect(a.transports[0]).toMatchObject({
      queued: 5,
      alert: '邮件通知未配置：5 条通知正在排队，配置后自动发出。',
    })
    const b = await statusAs(handlerB)
    expect(b.transports[0]).toMatchObject({ queued: 4 })
    expect(b.endpoints.map((e) => e.address).sort()).toEqual([
      'b@handlers.example',
      'city@handlers.example',
    ])
  })
})

describe('recipients', () => {
  it('are added and turned off by a city_admin only, each change audited', async () => {
    const refused = await post('/api/admin/notifications/endpoints', handlerA, {
      countyCode: countyA,
      kind: 'email',
      address: 'a@handlers.example',
      label: '莲都区邮箱',
    })
    expect(refused.status).toBe(403)
    const id = await addEndpoint({
      countyCode: countyA,
      kind: 'email',
      address: 'a@handlers.example',
      label: '莲都区邮箱',
    })
    const again = await post('/api/admin/notifications/endpoints', admin, {
      countyCode: countyA,
      kind: 'email',
      address: 'a@handlers.example',
      label: '重复',
    })
    expect(again.status).toBe(409)
    const bad = await post('/api/admin/notifications/endpoints', admin, {
      countyCode: countyA,
      kind: 'email',
      address: 'not-an-address',
      label: '错误',
    })
    expect(bad.status).toBe(400)

    await noticesFannedOut(notice('w:4', countyA))
    const off = await post(`/api/admin/notifications/endpoints/${id}/enabled`, admin, {
      enabled: false,
    })
    expect(off.status).toBe(200)
    // What waited for it is given up, with the reason; the console counts it as given up.
    expect(await deliveryRows()).toMatchObject([{ state: 'dead' }])
    expect((await statusAs(admin)).transports[0]).toMatchObject({ queued: 0, dead: 1 })
    const audit = await t.deps.db
      .selectFrom('auditLog')
      .select(['action', 'operatorId'])
      .where('action', 'like', 'notification.%')
      .where(sql<string>`detail->>'endpointId'`, '=', id)
      .orderBy('id')
      .execute()
    expect(audit).toEqual([
      { action: 'notification.endpoint_created', operatorId: admin.operator.id },
      { action: 'notification.endpoint_disabled', operatorId: admin.operator.id },
    ])
  })

  it('in production, refuses a webhook that is not HTTPS unless it stays on this machine', async () => {
    const ctx = { ...t.deps, config: { ...t.deps.config, NODE_ENV: 'production' as const } }
    const add = (address: string) =>
      createNotificationEndpoint({
        ctx,
        operator: admin.operator,
        input: {
          fields: { countyCode: countyA, kind: 'webhook', address, label: '值班群' },
          clientAddress: '127.0.0.1',
        },
      })
    await expect(add('http://robot.example.gov.cn/hook')).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    })
    await expect(add('https://robot.example.gov.cn/hook')).resolves.toMatchObject({
      kind: 'webhook',
    })
    await expect(add('http://127.0.0.1:9000/relay')).resolves.toMatchObject({ kind: 'webhook' })
  })
})
