import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { beijingDate, beijingMidnight } from '../../api/domain/beijing-time.ts'
import { smsDailyCapPerPhone } from '../../api/domain/sms.ts'
import { generateWebhookSecret } from '../../api/hotline/signature.ts'
import { createApp } from '../../api/http/app.ts'
import { deliverDueSms } from '../../api/services/sms/delivery.ts'
import { trackingLink } from '../../api/services/sms/queuer.ts'
import { outboxHandlers } from '../../api/worker/index.ts'
import { createOutboxWorker } from '../../api/worker/outbox-worker.ts'
import { startAliyunSmsReceiver, type AliyunSmsReceiver } from '../support/aliyun-sms.ts'
import { createReceiver, type Receiver } from '../support/hotline.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { signedInOperator, type TestOperator } from '../support/operators.ts'
import { act, countyA, countyB, fileCase } from './admin-cases-support.ts'

/**
 * Text messages to residents (issue 25, item 1; acceptance 1 and 6): a case accepted, replied to
 * and closed through the console API sends exactly three messages, in order, through Alibaba
 * Cloud's official SDK to a loopback server that checks each request's V3 signature as Alibaba
 * documents it, or through the signed gateway, checked with the official `standardwebhooks`
 * library. The sender takes `now`, so quiet hours and days pass at once.
 */

const accessKeyId = 'LTAI5tTestKeyForSms01'
const accessKeySecret = 'test-secret-for-the-loopback-provider'

let t: TestContext
let app: ReturnType<typeof createApp>
let provider: AliyunSmsReceiver
let handler: TestOperator

const hour = 3_600_000
/** Tomorrow (Beijing time) at `h` o'clock: ahead of the database clock, so every message is due. */
const tomorrowAt = (h: number, days = 1) =>
  new Date(beijingMidnight(beijingDate(), days).getTime() + h * hour)

beforeAll(async () => {
  provider = await startAliyunSmsReceiver(new Map([[accessKeyId, accessKeySecret]]))
  t = await createTestContext({
    env: {
      SMS_ALIYUN_ACCESS_KEY_ID: accessKeyId,
      SMS_ALIYUN_ACCESS_KEY_SECRET: accessKeySecret,
      SMS_ALIYUN_ENDPOINT: provider.url,
      COMPLAINT_LIMIT_PER_ADDRESS: '1000',
      COMPLAINT_LIMIT_PER_PHONE: '1000',
    },
  })
  app = createApp(t.deps)
  handler = await signedInOperator(t.deps, 'county_handler', countyA)
})

afterAll(async () => {
  await provider.stop()
  await t.cleanup()
})

beforeEach(async () => {
  await provider.start().catch(() => undefined)
  provider.accepted.length = 0
  provider.refused.length = 0
  provider.answer = () => ({ status: 200, code: 'OK', message: 'OK' })
  t.logLines.length = 0
  // Each test sends only its own cases' messages.
  await t.deps.db.deleteFrom('smsMessages').execute()
  await t.deps.db.deleteFrom('outbox').execute()
})

/** The outbox worker as the background thread runs it, until nothing is left. */
async function drainOutbox(context: TestContext = t) {
  const worker = createOutboxWorker({
    db: context.deps.db,
    handlers: outboxHandlers(context.deps),
    logger: context.deps.logger,
    minBatchIntervalMs: 0,
  })
  while ((await worker.runOnce()) > 0);
}

async function acted(id: string, body: Record<string, unknown>, context = { app, handler }) {
  const res = await act(context.app, context.handler.headers, id, body)
  if (res.status !== 200)
    throw new Error(`${String(body.action)}: ${res.status} ${await res.text()}`)
}

const completion = {
  finding: 'substantiated',
  followUp: 'ordered',
  handlingResult: '现场复核电子秤，责令改正。',
  publicReply: '经核查，该摊位电子秤计量不准，已责令改正并复检合格。',
}

/** A case filed on the web, accepted, replied to (办结) and closed (归档). */
async function handledCase(overrides: Record<string, unknown> = {}, context = { app, handler }) {
  const filed = await fileCase(context.app, t, overrides)
  await acted(filed.id, { action: 'accept', version: 1 }, context)
  await acted(filed.id, { action: 'complete', version: 2, ...completion }, context)
  await acted(filed.id, { action: 'close', version: 3 }, context)
  return filed
}

const messagesOf = (complaintId: string) =>
  t.deps.db
    .selectFrom('smsMessages')
    .select(['event', 'state', 'attempts', 'providerId', 'lastError', 'body', 'params'])
    .where('complaintId', '=', complaintId)
    .orderBy('id')
    .execute()

describe('a web case accepted, replied to and closed', () => {
  it('sends exactly three messages, signed, in order, naming the tracking number and page only', async () => {
    const phone = '13905781234'
    const filed = await handledCase({ phone, name: '陈秀英' })
    await drainOutbox()
    const sent = await deliverDueSms(t.deps, { now: tomorrowAt(10) })
    expect(sent).toEqual({ sent: 3, failed: 0, postponed: 0 })

    expect(provider.refused).toEqual([])
    expect(provider.accepted).toHaveLength(3)
    const link = trackingLink(t.deps.config.SITE_URL, filed.trackingNo)
    const templates = t.deps.smsTemplates.templates
    expect(provider.accepted.map((s) => s.templateCode)).toEqual([
      templates.accepted.aliyunTemplateCode,
      templates.replied.aliyunTemplateCode,
      templates.closed.aliyunTemplateCode,
    ])
    for (const sms of provider.accepted) {
      expect(sms.phoneNumbers).toBe(phone)
      expect(sms.signName).toBe(t.deps.smsTemplates.signName)
      expect(sms.templateParam).toEqual({ trackingNo: filed.trackingNo, link })
      expect(sms.accessKeyId).toBe(accessKeyId)
    }
    const rows = await messagesOf(filed.id)
    expect(rows.map((r) => [r.event, r.state])).toEqual([
      ['accepted', 'sent'],
      ['replied', 'sent'],
      ['closed', 'sent'],
    ])
    expect(rows.every((r) => r.providerId?.endsWith('^0'))).toBe(true)
    expect(rows[0]!.body).toContain(filed.trackingNo)
    expect(rows[0]!.body).toContain(link)

    // Handled again (a crash before the outbox row was marked done): nothing is sent twice.
    await t.deps.db
      .insertInto('outbox')
      .values(
        (['accepted', 'replied', 'closed'] as const).map((event) => ({
          topic: 'sms.resident',
          aggregateKey: `sms:complaint:${filed.id}`,
          payload: JSON.stringify({ complaintId: filed.id, event }),
        })),
      )
      .execute()
    await drainOutbox()
    expect(await deliverDueSms(t.deps, { now: tomorrowAt(11) })).toEqual({
      sent: 0,
      failed: 0,
      postponed: 0,
    })
    expect(provider.accepted).toHaveLength(3)

    // No text, parameter or log line holds the query code, the description or the name; the
    // phone goes to the provider only.
    const everything = JSON.stringify([provider.accepted.map((s) => s.templateParam), rows])
    const logs = t.logLines.join('\n')
    const description = '买了一斤猪肉'
    for (const secret of [filed.queryCode, description, '陈秀英']) {
      expect(everything).not.toContain(secret)
      expect(logs).not.toContain(secret)
    }
    expect(JSON.stringify(rows)).not.toContain(phone)
    expect(logs).not.toContain(phone)
    expect(logs).toContain('SMS sent')
  })

  it('sends nothing to a resident who said no, left no phone or left a landline', async () => {
    const no = await handledCase({ smsUpdates: false })
    const formNo = await handledCase({ smsUpdates: 'no' })
    const anonymous = await handledCase({ kind: 'report' })
    const landline = await handledCase({ phone: '0578-2123456' })
    await drainOutbox()
    await deliverDueSms(t.deps, { now: tomorrowAt(10) })
    for (const c of [no, formNo, anonymous, landline]) expect(await messagesOf(c.id)).toEqual([])
    expect(provider.accepted).toEqual([])
  })

  it('sends nothing in quiet hours and all of it once they end', async () => {
    const filed = await handledCase()
    await drainOutbox()
    for (const h of [21, 23.5, 31.99]) {
      // 21:00, 23:30 and 07:59 the next morning, Beijing time.
      expect((await deliverDueSms(t.deps, { now: tomorrowAt(h) })).sent).toBe(0)
    }
    expect(provider.accepted).toEqual([])
    expect(await deliverDueSms(t.deps, { now: tomorrowAt(32) })).toEqual({
      sent: 3,
      failed: 0,
      postponed: 0,
    })
    expect(provider.accepted.map((s) => s.templateParam.trackingNo)).toEqual(
      Array(3).fill(filed.trackingNo),
    )
  })

  it('retries while the provider is down, in order, and all arrive once it is back', async () => {
    const filed = await handledCase()
    await drainOutbox()
    await provider.stop()
    const start = tomorrowAt(10)
    expect(await deliverDueSms(t.deps, { now: start })).toEqual({
      sent: 0,
      failed: 1,
      postponed: 0,
    })
    // The later messages waited behind the first: none was tried.
    expect((await messagesOf(filed.id)).map((r) => [r.event, r.attempts])).toEqual([
      ['accepted', 1],
      ['replied', 0],
      ['closed', 0],
    ])
    // Still down 12 s later (the first retry is 10 s ± 10 %), then an error answer.
    expect((await deliverDueSms(t.deps, { now: new Date(start.getTime() + 12_000) })).failed).toBe(
      1,
    )
    await provider.start()
    provider.answer = () => ({
      status: 200,
      code: 'isv.BUSINESS_LIMIT_CONTROL',
      message: '触发流控',
    })
    expect((await deliverDueSms(t.deps, { now: new Date(start.getTime() + 80_000) })).failed).toBe(
      1,
    )
    provider.answer = () => ({ status: 200, code: 'OK', message: 'OK' })
    const back = new Date(start.getTime() + 10 * 60_000)
    expect(await deliverDueSms(t.deps, { now: back })).toEqual({ sent: 3, failed: 0, postponed: 0 })
    expect(provider.accepted.map((s) => s.templateCode)).toEqual([
      t.deps.smsTemplates.templates.accepted.aliyunTemplateCode,
      t.deps.smsTemplates.templates.replied.aliyunTemplateCode,
      t.deps.smsTemplates.templates.closed.aliyunTemplateCode,
    ])
    const rows = await messagesOf(filed.id)
    expect(rows.map((r) => [r.state, r.attempts])).toEqual([
      ['sent', 4],
      ['sent', 1],
      ['sent', 1],
    ])
  })

  it('gives up at once on a number the provider says is not a mobile number', async () => {
    const filed = await fileCase(app, t)
    await acted(filed.id, { action: 'accept', version: 1 })
    await drainOutbox()
    provider.answer = () => ({
      status: 200,
      code: 'isv.MOBILE_NUMBER_ILLEGAL',
      message: '非法手机号',
    })
    expect((await deliverDueSms(t.deps, { now: tomorrowAt(10) })).failed).toBe(1)
    const [row] = await messagesOf(filed.id)
    expect(row).toMatchObject({ state: 'dead', attempts: 1 })
    expect(row!.lastError).toContain('isv.MOBILE_NUMBER_ILLEGAL')
  })
})

describe("a phone's daily cap", () => {
  it(`holds at ${smsDailyCapPerPhone} a day under three senders at once; the rest go the next morning`, async () => {
    const phone = '13705780000'
    const cases = []
    for (let i = 0; i < smsDailyCapPerPhone + 3; i++) {
      const filed = await fileCase(app, t, { phone })
      await acted(filed.id, { action: 'accept', version: 1 })
      cases.push(filed)
    }
    await drainOutbox()
    const now = tomorrowAt(10)
    const passes = await Promise.all([1, 2, 3].map(() => deliverDueSms(t.deps, { now })))
    expect(passes.reduce((n, p) => n + p.sent, 0)).toBe(smsDailyCapPerPhone)
    expect(provider.accepted).toHaveLength(smsDailyCapPerPhone)
    // The rest wait for the next sending day (08:00), not failed and not counted as tries.
    expect((await deliverDueSms(t.deps, { now: tomorrowAt(20) })).sent).toBe(0)
    expect((await deliverDueSms(t.deps, { now: tomorrowAt(32) })).sent).toBe(3)
    const rows = await t.deps.db
      .selectFrom('smsMessages')
      .select(['state', 'attempts'])
      .where(
        'complaintId',
        'in',
        cases.map((c) => c.id),
      )
      .execute()
    expect(rows.every((r) => r.state === 'sent' && r.attempts === 1)).toBe(true)
  })
})

describe('with no SMS transport configured', () => {
  it("keeps messages queued and untried, and the console counts them for the case's county", async () => {
    const unset = await createTestContext({
      env: { COMPLAINT_LIMIT_PER_ADDRESS: '1000', COMPLAINT_LIMIT_PER_PHONE: '1000' },
    })
    try {
      const unsetApp = createApp(unset.deps)
      const handlerA = await signedInOperator(unset.deps, 'county_handler', countyA)
      const handlerB = await signedInOperator(unset.deps, 'county_handler', countyB)
      const admin = await signedInOperator(unset.deps, 'city_admin')
      const filed = await fileCase(unsetApp, unset)
      await acted(filed.id, { action: 'accept', version: 1 }, { app: unsetApp, handler: handlerA })
      await drainOutbox(unset)
      expect(await deliverDueSms(unset.deps, { now: tomorrowAt(10) })).toEqual({
        sent: 0,
        failed: 0,
        postponed: 0,
      })
      const row = await unset.deps.db
        .selectFrom('smsMessages')
        .select(['state', 'attempts'])
        .executeTakeFirstOrThrow()
      expect(row).toEqual({ state: 'pending', attempts: 0 })
      const smsStatus = async (as: TestOperator) => {
        const res = await unsetApp.request('/api/admin/notifications', { headers: as.headers })
        expect(res.status).toBe(200)
        const body = (await res.json()) as { transports: { transport: string }[] }
        return body.transports.find((x) => x.transport === 'sms')
      }
      const waiting = {
        transport: 'sms',
        configured: false,
        queued: 1,
        dead: 0,
        alert: '居民短信未配置：1 条短信正在排队，配置后自动发出。',
      }
      expect(await smsStatus(handlerA)).toMatchObject(waiting)
      expect(await smsStatus(admin)).toMatchObject(waiting)
      expect(await smsStatus(handlerB)).toMatchObject({ queued: 0 })
    } finally {
      await unset.cleanup()
    }
  })
})

describe('the provider checks the signature', () => {
  it('refuses requests signed with another secret, and nothing is lost', async () => {
    const wrong = await createTestContext({
      env: {
        SMS_ALIYUN_ACCESS_KEY_ID: accessKeyId,
        SMS_ALIYUN_ACCESS_KEY_SECRET: 'not-the-secret',
        SMS_ALIYUN_ENDPOINT: provider.url,
      },
    })
    try {
      const wrongApp = createApp(wrong.deps)
      const wrongHandler = await signedInOperator(wrong.deps, 'county_handler', countyA)
      const filed = await fileCase(wrongApp, wrong)
      await acted(
        filed.id,
        { action: 'accept', version: 1 },
        { app: wrongApp, handler: wrongHandler },
      )
      await drainOutbox(wrong)
      expect((await deliverDueSms(wrong.deps, { now: tomorrowAt(10) })).failed).toBe(1)
      expect(provider.refused.map((r) => r.code)).toEqual(['SignatureDoesNotMatch'])
      expect(provider.accepted).toEqual([])
      const row = await wrong.deps.db
        .selectFrom('smsMessages')
        .select(['state', 'lastStatus'])
        .executeTakeFirstOrThrow()
      expect(row).toEqual({ state: 'pending', lastStatus: 403 })
    } finally {
      await wrong.cleanup()
    }
  })
})

describe('the province gateway', () => {
  let gateway: Receiver
  let g: TestContext
  const secret = generateWebhookSecret()

  beforeAll(async () => {
    gateway = await createReceiver()
    g = await createTestContext({
      env: { SMS_GATEWAY_URL: gateway.url, SMS_GATEWAY_SECRET: secret },
    })
  })
  afterAll(async () => {
    await gateway.stop()
    await g.cleanup()
  })

  it('receives each message signed with Standard Webhooks, the text as the bureau words it', async () => {
    const gApp = createApp(g.deps)
    const gHandler = await signedInOperator(g.deps, 'county_handler', countyA)
    const phone = '15905781111'
    const filed = await fileCase(gApp, g, { phone })
    await acted(
      filed.id,
      { action: 'reject', version: 1, reason: 'no_jurisdiction', note: '不属于本局管辖。' },
      { app: gApp, handler: gHandler },
    )
    await drainOutbox(g)
    expect((await deliverDueSms(g.deps, { now: tomorrowAt(10) })).sent).toBe(1)
    expect(gateway.received).toHaveLength(1)
    const request = gateway.received[0]!
    const payload = new Webhook(secret).verify(
      request.body,
      request.headers as Record<string, string>,
    ) as { type: string; data: { phone: string; text: string; params: Record<string, string> } }
    expect(payload.type).toBe('sms.send')
    expect(payload.data.phone).toBe(phone)
    expect(payload.data.text).toBe(
      g.deps.smsTemplates.templates.rejected.text
        .replace('${trackingNo}', filed.trackingNo)
        .replace('${link}', trackingLink(g.deps.config.SITE_URL, filed.trackingNo)),
    )
    expect(request.body).not.toContain(filed.queryCode)
    // A tampered body fails the official check.
    expect(() =>
      new Webhook(secret).verify(
        request.body.replace(phone, '13000000000'),
        request.headers as Record<string, string>,
      ),
    ).toThrow()
  })
})
