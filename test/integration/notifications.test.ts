import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { generateWebhookSecret } from '../../api/hotline/signature.ts'
import {
  deliverDueNotifications,
  startNotificationDelivery,
} from '../../api/services/notifications/delivery.ts'
import { enqueueNotice, handlerNoticeTopic } from '../../api/services/notifications/notice.ts'
import type { HandlerNotice } from '../../api/services/notifications/notice.ts'
import { notificationPolicy } from '../../api/services/shared/queue-policy.ts'
import { createOutboxWorker } from '../../api/worker/outbox-worker.ts'
import { outboxHandlers } from '../../api/worker/index.ts'
import { claimDue } from '../../db/queries/outbox.ts'
import { createReceiver, insertHotlineCase, type Receiver } from '../support/hotline.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { startMailServer, type MailServer } from '../support/smtp.ts'

/**
 * Notices to handlers (issue 24, item 2): a notice enqueued in the outbox is fanned out to the
 * recipients of its county and of the city, then sent over a real SMTP server and to real HTTP
 * receivers on loopback, each request's signature checked with the official `standardwebhooks`
 * library. Retries are per recipient; the delivery function takes `now`, so hours pass at once.
 */

const countyA = '331102' // 莲都区
const countyB = '331121' // 青田县
const webhookSecret = generateWebhookSecret()
const mailFrom = '丽水市市场监管局 <notice@lishui.example>'
const verifier = new Webhook(webhookSecret)

let t: TestContext
let mail: MailServer
let robotA: Receiver
let robotCity: Receiver
let robotB: Receiver

beforeAll(async () => {
  mail = await startMailServer('notice', 'p@ss word')
  robotA = await createReceiver()
  robotCity = await createReceiver()
  robotB = await createReceiver()
  t = await createTestContext({
    env: {
      NOTIFY_SMTP_URL: mail.url,
      NOTIFY_MAIL_FROM: mailFrom,
      NOTIFY_WEBHOOK_SECRET: webhookSecret,
    },
  })
})

afterAll(async () => {
  await Promise.all([mail.stop(), robotA.stop(), robotCity.stop(), robotB.stop()])
  await t.cleanup()
})

beforeEach(async () => {
  for (const r of [robotA, robotCity, robotB]) {
    await r.start().catch(() => undefined)
    r.received.length = 0
    r.answer = () => 204
  }
  mail.received.length = 0
  t.logLines.length = 0
  // Each test sets up its own recipients and notices.
  await t.deps.db.deleteFrom('notificationDeliveries').execute()
  await t.deps.db.deleteFrom('notificationEndpoints').execute()
  await t.deps.db.deleteFrom('outbox').execute()
})

async function addEndpoint(countyCode: string | null, kind: 'email' | 'webhook', address: string) {
  const row = await t.deps.db
    .insertInto('notificationEndpoints')
    .values({ countyCode, kind, address, label: `${kind} ${countyCode ?? 'city'}` })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

/** The recipients of a county and of the city, and one of another county. */
async function addRecipients() {
  await addEndpoint(countyA, 'email', 'lianduqu@handlers.example')
  await addEndpoint(null, 'email', 'city@handlers.example')
  await addEndpoint(countyB, 'email', 'qingtian@handlers.example')
  await addEndpoint(countyA, 'webhook', robotA.url)
  await addEndpoint(null, 'webhook', robotCity.url)
  await addEndpoint(countyB, 'webhook', robotB.url)
}

const noticeOf = (key: string, countyCode: string | null = countyA): HandlerNotice => ({
  countyCode,
  type: 'warning.opened',
  title: '预警：城西农贸市场 8 号摊位 2 天内被投诉 8 次',
  text: '莲都区 城西农贸市场 8 号摊位：最近 48 小时收到 8 件投诉，以往同期约 0.4 件。\n请到后台“预警”查看。',
  data: { warningId: '17', subject: '城西农贸市场 8 号摊位', windowCount: 8, windowHours: 48 },
  key,
})

async function enqueue(notice: HandlerNotice) {
  await t.deps.db.transaction().execute((trx) => enqueueNotice(trx, notice))
}

/** The outbox worker as the background thread runs it, once. */
const fanOut = () =>
  createOutboxWorker({
    db: t.deps.db,
    handlers: outboxHandlers(t.deps),
    logger: t.deps.logger,
  }).runOnce()

const deliveries = () =>
  t.deps.db
    .selectFrom('notificationDeliveries as d')
    .innerJoin('notificationEndpoints as e', 'e.id', 'd.endpointId')
    .select(['d.id', 'd.state', 'd.attempts', 'd.transport', 'd.webhookId', 'e.address'])
    .orderBy('d.id')
    .execute()

/** Each request a receiver took, verified by the official library (which throws if not). */
const verified = (r: Receiver) =>
  r.received.map((req) =>
    verifier.verify(req.body, {
      'webhook-id': String(req.headers['webhook-id']),
      'webhook-timestamp': String(req.headers['webhook-timestamp']),
      'webhook-signature': String(req.headers['webhook-signature']),
    }),
  )

const at = (base: Date, ms: number) => new Date(base.getTime() + ms)

describe('notices to handlers', () => {
  it('e-mails and signs webhooks to the county and the city, and tells another county nothing', async () => {
    await addRecipients()
    const notice = noticeOf('warning:17:opened')
    await enqueue(notice)
    expect(await fanOut()).toBe(1)
    expect(await deliverDueNotifications(t.deps)).toEqual({ delivered: 4, failed: 0 })

    // E-mail: one message per recipient, from the configured sender, subject and body as given.
    const byRecipient = Object.fromEntries(mail.received.map((m) => [m.recipients.join(), m]))
    expect(Object.keys(byRecipient).sort()).toEqual([
      'city@handlers.example',
      'lianduqu@handlers.example',
    ])
    for (const [to, m] of Object.entries(byRecipient)) {
      expect(m.parsed.subject).toBe(notice.title)
      expect(m.parsed.text?.trim()).toBe(notice.text)
      expect(m.parsed.from?.value).toEqual([
        { name: '丽水市市场监管局', address: 'notice@lishui.example' },
      ])
      expect(m.parsed.to && !Array.isArray(m.parsed.to) ? m.parsed.to.text : '').toBe(to)
      // A plain-text UTF-8 message whose Chinese subject is MIME-encoded, not raw 8-bit.
      expect(m.raw).toMatch(/^Subject: =\?UTF-8\?[BQ]\?/im)
      expect(m.raw).toMatch(/^Content-Type: text\/plain; charset=utf-8/im)
      expect(m.parsed.html).toBe(false)
    }
    expect(mail.refusedLogins).toBe(0)

    // Webhooks: the county's robot and the city's, each request verified; not the other county's.
    expect(robotB.received).toEqual([])
    for (const robot of [robotA, robotCity]) {
      const [payload] = verified(robot)
      expect(robot.received).toHaveLength(1)
      expect(payload).toEqual({
        type: 'warning.opened',
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
        data: notice.data,
        msgtype: 'text',
        text: { content: `${notice.title}\n${notice.text}` },
      })
    }
    const rows = await deliveries()
    expect(rows.map((r) => r.state)).toEqual(['delivered', 'delivered', 'delivered', 'delivered'])
    // The webhook-id is the delivery's own, kept for retries.
    expect(rows.map((r) => r.webhookId)).toEqual(
      expect.arrayContaining([
        String(robotA.received[0]!.headers['webhook-id']),
        String(robotCity.received[0]!.headers['webhook-id']),
      ]),
    )
  })

  it('tells only the city recipients of a city-level notice', async () => {
    await addRecipients()
    await enqueue(noticeOf('instrument:taximeter', null))
    await fanOut()
    expect(await deliverDueNotifications(t.deps)).toEqual({ delivered: 2, failed: 0 })
    expect(mail.received.map((m) => m.recipients)).toEqual([['city@handlers.example']])
    expect(robotCity.received).toHaveLength(1)
    expect(robotA.received).toEqual([])
    expect(robotB.received).toEqual([])
  })

  it('skips a recipient that is turned off', async () => {
    await addRecipients()
    await t.deps.db
      .updateTable('notificationEndpoints')
      .set({ enabled: false })
      .where('address', '=', robotA.url)
      .execute()
    await enqueue(noticeOf('warning:18:opened'))
    await fanOut()
    expect(await deliverDueNotifications(t.deps)).toEqual({ delivered: 3, failed: 0 })
    expect(robotA.received).toEqual([])
  })

  it('delivers once to a receiver that fails twice, retrying it alone on its schedule', async () => {
    await addEndpoint(countyA, 'webhook', robotA.url)
    await addEndpoint(countyA, 'email', 'lianduqu@handlers.example')
    let failuresLeft = 2
    robotA.answer = () => (failuresLeft-- > 0 ? 503 : 204)
    await enqueue(noticeOf('warning:19:opened'))
    await fanOut()
    let now = new Date(Date.now() + 1000)
    expect(await deliverDueNotifications(t.deps, { now })).toEqual({ delivered: 1, failed: 1 })
    const [first = 0, second = 0] = notificationPolicy.backoff.delaysMs
    // A moment early: nothing is tried, and the e-mail is not sent again.
    expect(await deliverDueNotifications(t.deps, { now: at(now, first - 1) })).toEqual({
      delivered: 0,
      failed: 0,
    })
    now = at(now, first)
    expect(await deliverDueNotifications(t.deps, { now })).toEqual({ delivered: 0, failed: 1 })
    now = at(now, second)
    expect(await deliverDueNotifications(t.deps, { now })).toEqual({ delivered: 1, failed: 0 })
    expect(await deliverDueNotifications(t.deps, { now: at(now, 86_400_000) })).toEqual({
      delivered: 0,
      failed: 0,
    })

    // Three tries of one message (one webhook-id), each validly signed; one succeeded.
    expect(verified(robotA)).toHaveLength(3)
    expect(new Set(robotA.received.map((r) => r.headers['webhook-id'])).size).toBe(1)
    expect(mail.received).toHaveLength(1)
    const rows = await deliveries()
    expect(rows.find((r) => r.transport === 'webhook')).toMatchObject({
      state: 'delivered',
      attempts: 3,
    })
  })

  it('gives up on a receiver that always fails after the configured tries; the others are unaffected', async () => {
    await addEndpoint(countyA, 'webhook', robotA.url)
    await addEndpoint(null, 'webhook', robotCity.url)
    await addEndpoint(countyA, 'email', 'lianduqu@handlers.example')
    robotA.answer = () => 500
    await enqueue(noticeOf('warning:20:opened'))
    await fanOut()
    let now = new Date(Date.now() + 1000)
    expect(await deliverDueNotifications(t.deps, { now })).toEqual({ delivered: 2, failed: 1 })
    for (const delay of notificationPolicy.backoff.delaysMs) {
      now = at(now, delay)
      expect(await deliverDueNotifications(t.deps, { now })).toEqual({ delivered: 0, failed: 1 })
    }
    expect(robotA.received).toHaveLength(notificationPolicy.maxAttempts)
    const failing = (await deliveries()).find((r) => r.address === robotA.url)
    expect(failing).toMatchObject({ state: 'dead', attempts: notificationPolicy.maxAttempts })
    // Dead: not tried again, even a week later.
    expect(await deliverDueNotifications(t.deps, { now: at(now, 7 * 86_400_000) })).toEqual({
      delivered: 0,
      failed: 0,
    })
    expect(robotCity.received).toHaveLength(1)
    expect(mail.received).toHaveLength(1)
  })

  it('adds no second delivery when the fan-out runs again after a crash, or a notice is enqueued twice', async () => {
    await addRecipients()
    await enqueue(noticeOf('warning:21:opened'))
    await enqueue(noticeOf('warning:21:opened'))
    // The worker handles the batch and dies before marking it done: a second worker handles it
    // again once the lease runs out.
    const handle = outboxHandlers(t.deps)[handlerNoticeTopic]!
    const claimed = await claimDue(t.deps.db, { limit: 10, leaseSeconds: 60 })
    expect(claimed).toHaveLength(1)
    await handle(claimed)
    await handle(claimed)
    await t.deps.db
      .updateTable('outbox')
      .set({ availableAt: new Date(0) })
      .execute()
    // The second copy of the notice waits behind the first (one aggregate key); both run now.
    while ((await fanOut()) > 0);
    expect(await deliveries()).toHaveLength(4)
    expect(await deliverDueNotifications(t.deps)).toEqual({ delivered: 4, failed: 0 })
    expect(mail.received).toHaveLength(2)
    expect(robotA.received).toHaveLength(1)
    expect(robotCity.received).toHaveLength(1)
  })

  it('runs as a loop that a new delivery wakes at once, and stops cleanly', async () => {
    await addEndpoint(countyA, 'webhook', robotA.url)
    // A minute between polls: only the table's NOTIFY can make it deliver within seconds.
    const loop = startNotificationDelivery(t.deps, {
      databaseUrl: t.databaseUrl,
      pollIntervalMs: 60_000,
    })
    const started = Date.now()
    try {
      // Let the loop's first pass find nothing and go to sleep.
      await new Promise((resolve) => setTimeout(resolve, 500))
      await enqueue(noticeOf('warning:23:opened'))
      await fanOut()
      while (robotA.received.length === 0 && Date.now() - started < 10_000) {
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    } finally {
      await loop.stop()
    }
    expect(verified(robotA)).toHaveLength(1)
    expect(Date.now() - started).toBeLessThan(10_000)
    expect((await deliveries())[0]).toMatchObject({ state: 'delivered', attempts: 1 })
  })

  it('sends nothing of a resident: only the notice, and logs without its text', async () => {
    const c = await insertHotlineCase(t.deps.db, { county: countyA })
    const complaint = await t.deps.db
      .selectFrom('complaints')
      .select(['description', 'trackingNo'])
      .where('id', '=', c.id)
      .executeTakeFirstOrThrow()
    await addEndpoint(countyA, 'webhook', robotA.url)
    await addEndpoint(countyA, 'email', 'lianduqu@handlers.example')
    const notice = noticeOf('warning:22:opened')
    // A payload carrying more than the contract: what is not a notice field is never sent.
    await t.deps.db
      .insertInto('outbox')
      .values({
        topic: handlerNoticeTopic,
        aggregateKey: `notice:${notice.key}`,
        payload: JSON.stringify({
          ...notice,
          residentPhone: '13905781234',
          description: complaint.description,
        }),
      })
      .execute()
    await fanOut()
    expect(await deliverDueNotifications(t.deps)).toEqual({ delivered: 2, failed: 0 })

    const body = robotA.received[0]!.body
    expect(JSON.parse(body)).toEqual({
      type: notice.type,
      timestamp: expect.any(String) as unknown,
      data: notice.data,
      msgtype: 'text',
      text: { content: `${notice.title}\n${notice.text}` },
    })
    const [message] = mail.received
    expect(message!.parsed.text?.trim()).toBe(notice.text)
    const logs = t.logLines.join('\n')
    for (const secret of ['13905781234', complaint.description, complaint.trackingNo, c.ticketNo]) {
      expect(body).not.toContain(secret)
      expect(message!.raw).not.toContain(secret)
      expect(logs).not.toContain(secret)
    }
    // The logs name the notice, the recipient's kind and the outcome, never the text.
    expect(logs).toContain('warning:22:opened')
    expect(logs).toContain('notice delivered')
    expect(logs).not.toContain('城西农贸市场 8 号摊位：最近')
    expect(logs).not.toContain(notice.title)
  })
})
