import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateWebhookSecret } from '../../api/hotline/signature.ts'
import { createApp } from '../../api/http/app.ts'
import { runBackgroundWork } from '../../api/worker/index.ts'
import { createReceiver, type Receiver } from '../support/hotline.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { signedInOperator, type TestOperator } from '../support/operators.ts'
import { startMailServer, type MailServer } from '../support/smtp.ts'

/**
 * Issue 24, acceptance 2 and 3, end to end: a burst of complaints filed through the public API
 * reaches the county handler's warning list within 10 s, by the background work a web process
 * runs (the outbox worker detects, the notification loop delivers), and the county's recipients
 * get the e-mail (a real SMTP server on loopback, parsed) and the signed webhook (verified with
 * the official `standardwebhooks` library); another county's recipients get nothing, and no
 * message, log line or warning answer holds the residents' names, phones or words.
 */

const countyA = '331102' // 莲都区
const countyB = '331121' // 青田县
const webhookSecret = generateWebhookSecret()

let t: TestContext
let app: ReturnType<typeof createApp>
let mail: MailServer
let robotA: Receiver
let robotB: Receiver
let handlerA: TestOperator
let background: ReturnType<typeof runBackgroundWork>

/** Five residents, each with a name, phone and words of their own. */
const residents = [
  { name: '欧阳翠花', phone: '13957801234', words: '买了两斤带鱼回家复秤只有一斤七两' },
  { name: '司马青山', phone: '13857802345', words: '称了三斤橘子到家只剩两斤六两多' },
  { name: '上官明月', phone: '13757803456', words: '摊主的电子秤没归零就开始称重' },
  { name: '诸葛小琴', phone: '15957804567', words: '一斤虾仁复秤只有八两三钱左右' },
  { name: '东方晓峰', phone: '18857805678', words: '两斤排骨回家称只有一斤六两半' },
]
const residentValues = residents.flatMap((r) => [r.name, r.phone, r.words])

beforeAll(async () => {
  mail = await startMailServer('notice', 'secret-pass')
  robotA = await createReceiver()
  robotB = await createReceiver()
  t = await createTestContext({
    env: {
      COMPLAINT_LIMIT_PER_ADDRESS: '1000',
      COMPLAINT_LIMIT_PER_PHONE: '1000',
      NOTIFY_SMTP_URL: mail.url,
      NOTIFY_MAIL_FROM: '丽水市市场监管局 <notice@lishui.example>',
      NOTIFY_WEBHOOK_SECRET: webhookSecret,
    },
  })
  app = createApp(t.deps)
  await t.deps.db
    .insertInto('notificationEndpoints')
    .values([
      { countyCode: countyA, kind: 'email', address: 'liandu@handlers.example', label: '莲都科室' },
      { countyCode: countyA, kind: 'webhook', address: robotA.url, label: '莲都值班群' },
      {
        countyCode: countyB,
        kind: 'email',
        address: 'qingtian@handlers.example',
        label: '青田科室',
      },
      { countyCode: countyB, kind: 'webhook', address: robotB.url, label: '青田值班群' },
    ])
    .execute()
  handlerA = await signedInOperator(t.deps, 'county_handler', countyA)
  background = runBackgroundWork({ deps: t.deps, databaseUrl: t.databaseUrl })
})

afterAll(async () => {
  await background.stop()
  await Promise.all([mail.stop(), robotA.stop(), robotB.stop()])
  await t.cleanup()
})

function file(resident: (typeof residents)[number], n: number) {
  return app.request(
    '/api/complaints',
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        kind: 'complaint',
        category: 'short_weight',
        county: countyA,
        merchantName: '城北农贸市场 27 号水产摊',
        address: '莲都区城北农贸市场 27 号',
        occurredAt: '2026-11-28T08:30',
        description: resident.words,
        name: resident.name,
        phone: resident.phone,
        consent: true,
      }),
    },
    { clientAddress: `198.51.100.${20 + n}` },
  )
}

interface ListedWarning {
  id: string
  subjectLabel: string
  windowCount: number
}

async function listedWarnings(): Promise<ListedWarning[]> {
  const res = await app.request('/api/admin/warnings', { headers: handlerA.headers })
  expect(res.status).toBe(200)
  const body = (await res.json()) as { items: ListedWarning[] }
  return body.items
}

async function waitFor<T>(
  what: string,
  limitMs: number,
  probe: () => T | undefined | Promise<T | undefined>,
) {
  const started = Date.now()
  for (;;) {
    const found = await probe()
    if (found !== undefined) return { found, ms: Date.now() - started }
    if (Date.now() - started > limitMs) throw new Error(`${what}: nothing after ${limitMs} ms`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

describe('a burst of complaints about one stall', () => {
  it('reaches the county handlers within 10 s, by e-mail and webhook, and nobody else', async () => {
    for (const [n, resident] of residents.entries()) {
      const res = await file(resident, n)
      expect(res.status).toBe(201)
    }
    const filedAt = Date.now()

    const { found: warning } = await waitFor('the warning in the list', 10_000, async () =>
      (await listedWarnings()).find((w) => w.subjectLabel.includes('27 号水产摊')),
    )
    expect(Date.now() - filedAt).toBeLessThan(10_000)

    // The warning names the stall and holds the burst's cases (the first three opened it; the
    // others joined it, whichever order the outbox took them in).
    const detail = await app.request(`/api/admin/warnings/${warning.id}`, {
      headers: handlerA.headers,
    })
    expect(detail.status).toBe(200)
    const detailText = await detail.text()
    const shown = JSON.parse(detailText) as { cases: unknown[] }
    expect(shown.cases.length).toBeGreaterThanOrEqual(3)

    // The county's e-mail and webhook, each once for the opening of the warning.
    await waitFor('the county e-mail', 30_000, () =>
      mail.received.some((m) => m.recipients.includes('liandu@handlers.example'))
        ? true
        : undefined,
    )
    await waitFor('the county webhook', 30_000, () =>
      robotA.received.length > 0 ? true : undefined,
    )
    const email = mail.received.find((m) => m.recipients.includes('liandu@handlers.example'))!
    expect(email.parsed.subject).toContain('27 号水产摊')
    expect(email.parsed.text).toContain(`/admin/warnings/${warning.id}`)

    const verifier = new Webhook(webhookSecret)
    const hooks = robotA.received.map(
      (req) =>
        verifier.verify(req.body, {
          'webhook-id': String(req.headers['webhook-id']),
          'webhook-timestamp': String(req.headers['webhook-timestamp']),
          'webhook-signature': String(req.headers['webhook-signature']),
        }) as { type: string; data: { warningId: string; countyCode: string } },
    )
    expect(hooks.map((h) => h.type)).toContain('warning.opened')
    expect(hooks.find((h) => h.type === 'warning.opened')!.data.warningId).toBe(warning.id)

    // Another county: no delivery was even queued for its recipients, and none arrived.
    const queuedForB = await t.deps.db
      .selectFrom('notificationDeliveries as d')
      .innerJoin('notificationEndpoints as e', 'e.id', 'd.endpointId')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('e.countyCode', '=', countyB)
      .executeTakeFirstOrThrow()
    expect(Number(queuedForB.n)).toBe(0)
    expect(mail.received.filter((m) => m.recipients.includes('qingtian@handlers.example'))).toEqual(
      [],
    )
    expect(robotB.received).toEqual([])

    // Nothing of a resident anywhere the warning went.
    const listText = await (
      await app.request('/api/admin/warnings', { headers: handlerA.headers })
    ).text()
    const outbound = [
      ...mail.received.map((m) => m.raw),
      ...mail.received.map((m) => `${m.parsed.subject ?? ''}\n${m.parsed.text ?? ''}`),
      ...robotA.received.map((r) => r.body),
      listText,
      detailText,
      ...t.logLines,
    ]
    for (const value of residentValues) {
      for (const text of outbound) expect(text).not.toContain(value)
    }
  })
})
