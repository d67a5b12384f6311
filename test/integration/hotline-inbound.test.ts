import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { decryptField } from '../../api/privacy/pii.ts'
import { usccAlphabet, usccCheckCharacter } from '../../api/domain/uscc.ts'
import { applyPendingInboxEvents } from '../../api/services/hotline/apply.ts'
import {
  generateWebhookSecret,
  newWebhookId,
  parseWebhookSecrets,
} from '../../api/hotline/signature.ts'
import { signedInOperator, type TestOperator } from '../support/operators.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import {
  dispatched,
  eventsPath,
  later,
  newTicketNo,
  officialHeaders,
  postEvent,
} from '../support/hotline-inbound.ts'

let t: TestContext
let app: ReturnType<typeof createApp>
let secret: string
let admin: TestOperator

beforeAll(async () => {
  t = await createTestContext()
  app = createApp(t.deps)
  secret = t.deps.config.HOTLINE_WEBHOOK_SECRET!
  admin = await signedInOperator(t.deps, 'city_admin')
})
afterAll(async () => {
  await t.cleanup()
})

const inboxCount = async () =>
  Number(
    (
      await t.deps.db
        .selectFrom('hotlineInbox')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  )
const inboxRow = (id: string) =>
  t.deps.db
    .selectFrom('hotlineInbox')
    .selectAll()
    .where('webhookId', '=', id)
    .executeTakeFirstOrThrow()
const apply = () => applyPendingInboxEvents(t.deps)
const caseOfTicket = (ticketNo: string) =>
  t.deps.db
    .selectFrom('hotlineTickets as h')
    .innerJoin('complaints as c', 'c.id', 'h.complaintId')
    .selectAll('c')
    .select(['h.urgeCount', 'h.supervisedAt', 'h.returnState', 'h.extensionState'])
    .select(['h.satisfaction', 'h.deadline', 'h.lastEventAt', 'h.appealType', 'h.title'])
    .where('h.ticketNo', '=', ticketNo)
    .executeTakeFirst()
const timeline = (complaintId: string) =>
  t.deps.db
    .selectFrom('complaintEvents')
    .select(['kind', 'isPublic', 'actor', 'occurredAt', 'note'])
    .where('complaintId', '=', complaintId)
    .orderBy('occurredAt')
    .orderBy('id')
    .execute()

describe('POST /api/hotline/12345/events: signature and inbox', () => {
  it('stores an event signed by the official standardwebhooks package, sealed, and answers 202', async () => {
    const ticketNo = newTicketNo()
    const { res, id, body } = await postEvent(app, secret, dispatched(ticketNo))
    expect(res.status).toBe(202)
    expect(await res.json()).toEqual({ received: true, webhook_id: id })
    const row = await inboxRow(id)
    expect(row).toMatchObject({
      state: 'pending',
      eventType: 'ticket.dispatched',
      ticketNo,
      occurredAt: new Date('2026-11-26T09:30:00+08:00'),
      responseStatus: 202,
    })
    // The caller's name and phone are sealed: the stored bytes do not contain them.
    expect(row.bodySealed.includes(Buffer.from('13800138000'))).toBe(false)
    expect(row.bodySealed.includes(Buffer.from('李小梅'))).toBe(false)
    expect(
      decryptField(t.deps.privacy.ring, row.piiKeyId, row.bodySealed, `hotline_inbox:${id}`),
    ).toBe(body)
    expect(t.logLines.join('\n')).not.toMatch(/13800138000|李小梅/)
  })

  it('answers 401 and stores nothing for a wrong secret, a changed byte, a stale time or a missing header', async () => {
    const event = dispatched(newTicketNo())
    const body = JSON.stringify(event)
    const before = await inboxCount()
    const attempts: [string, Record<string, string>, string, RegExp][] = [
      ['wrong secret', officialHeaders(generateWebhookSecret(), body), body, /签名无效/],
      ['one byte changed', officialHeaders(secret, body), body.replace('菜场', '莱场'), /签名无效/],
      [
        'six minutes old',
        officialHeaders(secret, body, { at: new Date(Date.now() - 6 * 60_000) }),
        body,
        /相差超过 5 分钟/,
      ],
      [
        'six minutes ahead',
        officialHeaders(secret, body, { at: new Date(Date.now() + 6 * 60_000) }),
        body,
        /相差超过 5 分钟/,
      ],
      ...(['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const).map(
        (header): [string, Record<string, string>, string, RegExp] => {
          const headers = officialHeaders(secret, body)
          Reflect.deleteProperty(headers, header)
          return [`no ${header}`, headers, body, /缺少 webhook-id/]
        },
      ),
    ]
    for (const [what, headers, sent, message] of attempts) {
      const res = await app.request(eventsPath, { method: 'POST', headers, body: sent })
      expect(res.status, what).toBe(401)
      const answer = (await res.json()) as { error: { code: string; message: string } }
      expect(answer.error.code, what).toBe('UNAUTHORIZED')
      expect(answer.error.message, what).toMatch(message)
    }
    expect(await inboxCount()).toBe(before)
  })

  it('answers a replayed webhook-id exactly as the first time, even with another body, and changes nothing', async () => {
    const ticketNo = newTicketNo()
    const first = await postEvent(app, secret, dispatched(ticketNo))
    const firstAnswer = await first.res.text()
    const stored = await inboxRow(first.id)
    // The same id, validly signed, with a different body (another county, another title).
    const replay = await postEvent(
      app,
      secret,
      dispatched(ticketNo, { title: '被篡改的标题', area_code: '331121' }),
      { id: first.id },
    )
    expect(replay.res.status).toBe(first.res.status)
    expect(await replay.res.text()).toBe(firstAnswer)
    expect(replay.res.headers.get('idempotent-replayed')).toBe('true')
    expect(await inboxRow(first.id)).toEqual(stored)
    await apply()
    const c = await caseOfTicket(ticketNo)
    expect(c).toMatchObject({ countyCode: '331102', title: '菜场短斤缺两' })
    // A replay after it was applied is still answered the same way and applies nothing more.
    const again = await postEvent(app, secret, dispatched(ticketNo), { id: first.id })
    expect(await again.res.text()).toBe(firstAnswer)
    expect(await apply()).toEqual([])
    expect(await timeline(c!.id)).toHaveLength(1)
  })

  it('answers 400 with the failing fields and keeps a malformed event as rejected', async () => {
    const event = dispatched(newTicketNo(), { area_code: '110101', deadline: 'tomorrow' })
    const { res, id } = await postEvent(app, secret, event)
    expect(res.status).toBe(400)
    const answer = (await res.json()) as {
      error: { code: string; details: { field: string; message: string }[] }
    }
    expect(answer.error.code).toBe('VALIDATION_FAILED')
    expect([...new Set(answer.error.details.map((d) => d.field))].sort()).toEqual([
      'ticket.area_code',
      'ticket.deadline',
    ])
    expect(answer.error.details[0]!.message).toMatch(/[区县期限]/)
    const row = await inboxRow(id)
    expect(row).toMatchObject({ state: 'rejected', responseStatus: 400, eventType: null })
    expect(row.errors).toEqual(answer.error.details)
    // Not JSON at all: rejected too, and a retry of either answers the same.
    const body = '{"type": "ticket.urged",'
    const headers = officialHeaders(secret, body)
    const broken = await app.request(eventsPath, { method: 'POST', headers, body })
    expect(broken.status).toBe(400)
    const brokenAnswer = await broken.text()
    const retry = await app.request(eventsPath, { method: 'POST', headers, body })
    expect(retry.status).toBe(400)
    expect(await retry.text()).toBe(brokenAnswer)
    expect(await apply()).toEqual([])
  })

  it('answers 400 with the error shape and stores nothing for a signed event whose webhook-id is too long or holds a control character', async () => {
    const before = await inboxCount()
    const bad: [string, string, RegExp][] = [
      ['300 characters', `msg_${'a'.repeat(296)}`, /300 个字符.*256/],
      ['a control character', 'msg_2KWPBg\u0001LlAfxdpx', /控制字符/],
      ['a tab', 'msg_2KWPBg\tLlAfxdpx', /控制字符/],
      ['a dot', 'msg_2KWPBg.1674087231', /不能含“\.”/],
      ['a character outside ASCII', 'msg_2KWPBg\u00e9', /英文字母、数字/],
    ]
    const answers = await Promise.all(
      bad.map(
        async ([, id]) => (await postEvent(app, secret, dispatched(newTicketNo()), { id })).res,
      ),
    )
    for (const [i, [what, , message]] of bad.entries()) {
      const res = answers[i]!
      expect(res.status, what).toBe(400)
      const body = (await res.json()) as Record<string, unknown>
      expect(body, what).toEqual({
        error: {
          code: 'VALIDATION_FAILED',
          message: expect.stringMatching(message) as unknown,
          requestId: expect.any(String) as unknown,
          details: [{ field: 'webhook-id', message: expect.stringMatching(message) as unknown }],
        },
      })
      expect((body as { error: { message: string } }).error.message, what).toMatch(/未保存/)
    }
    expect(await inboxCount()).toBe(before)
    // At the limit it is taken; unsigned, a bad id is still a 401.
    const longest = `msg_${'b'.repeat(252)}`
    expect(
      (await postEvent(app, secret, dispatched(newTicketNo()), { id: longest })).res.status,
    ).toBe(202)
    expect((await inboxRow(longest)).webhookId).toBe(longest)
    const body = JSON.stringify(dispatched(newTicketNo()))
    const forged = officialHeaders(generateWebhookSecret(), body, { id: `msg_${'c'.repeat(296)}` })
    expect((await app.request(eventsPath, { method: 'POST', headers: forged, body })).status).toBe(
      401,
    )
  })

  it('accepts either secret while two are configured, and a header carrying several signatures', async () => {
    const next = generateWebhookSecret()
    const rotating = createApp({
      ...t.deps,
      hotline: { ...t.deps.hotline, webhookSecrets: parseWebhookSecrets(`${secret} ${next}`) },
    })
    expect((await postEvent(rotating, secret, dispatched(newTicketNo()))).res.status).toBe(202)
    expect((await postEvent(rotating, next, dispatched(newTicketNo()))).res.status).toBe(202)
    expect(
      (await postEvent(rotating, generateWebhookSecret(), dispatched(newTicketNo()))).res.status,
    ).toBe(401)

    const body = JSON.stringify(dispatched(newTicketNo()))
    const id = newWebhookId()
    const good = officialHeaders(secret, body, { id })
    const bad = officialHeaders(generateWebhookSecret(), body, { id })
    const headers = {
      ...good,
      'webhook-signature': `${bad['webhook-signature']!} ${good['webhook-signature']!}`,
    }
    const res = await app.request(eventsPath, { method: 'POST', headers, body })
    expect(res.status).toBe(202)
    const onlyBad = { ...headers, 'webhook-id': newWebhookId() }
    onlyBad['webhook-signature'] = bad['webhook-signature']!
    expect((await app.request(eventsPath, { method: 'POST', headers: onlyBad, body })).status).toBe(
      401,
    )
  })

  it('is described in /api/openapi.json', async () => {
    const doc = (await (await app.request('/api/openapi.json')).json()) as {
      paths: Record<string, { post?: { responses: Record<string, unknown> } }>
    }
    const path = Object.keys(doc.paths).find((p) => p.endsWith('/hotline/12345/events'))!
    expect(Object.keys(doc.paths[path]!.post!.responses)).toEqual(
      expect.arrayContaining(['202', '400', '401']),
    )
  })
})

/** A certified business in the directory, with a valid credit code. */
async function certifiedBusiness() {
  const first17 = `91331102MA${Array.from({ length: 7 }, () => usccAlphabet[randomBytes(1)[0]! % 10]).join('')}`
  const uscc = first17 + usccCheckCharacter(first17)
  await t.deps.db
    .insertInto('enterprises')
    .values({
      uscc,
      name: '丽水示范加油站',
      countyCode: '331102',
      sectorCode: 'fuel_station',
      address: '莲都区示范路 1 号',
      certifiedAt: '2026-01-01',
      validUntil: '2028-12-31',
      status: 'active',
      statusSince: '2026-01-01',
    })
    .execute()
  return uscc
}

describe('applying hotline events to cases', () => {
  it('makes a case of a dispatched ticket, visible in the console queue', async () => {
    const ticketNo = newTicketNo()
    const uscc = await certifiedBusiness()
    await postEvent(
      app,
      secret,
      dispatched(ticketNo, {
        appeal_type: '举报',
        area_code: '331121',
        title: '加油站加油机少加',
        respondent_name: '丽水示范加油站',
        respondent_uscc: uscc,
        deadline: '2026-12-11T17:30:00+08:00',
      }),
    )
    const outcomes = await apply()
    expect(outcomes.filter((o) => 'ticketNo' in o && o.ticketNo === ticketNo)).toMatchObject([
      { result: 'applied', alsoApplied: 0 },
    ])
    const c = (await caseOfTicket(ticketNo))!
    expect(c).toMatchObject({
      channel: 'hotline12345',
      kind: 'report',
      category: 'fuel_dispenser',
      countyCode: '331121',
      status: 'received',
      merchantName: '丽水示范加油站',
      merchantUscc: uscc,
      enterpriseUscc: uscc,
      receivedAt: new Date('2026-11-26T09:30:00+08:00'),
      dueAt: new Date('2026-12-11T17:30:00+08:00'),
      priority: 0,
      appealType: '举报',
    })
    expect(c.trackingNo).toMatch(/^JL20261126-\d{4}-\d{4}$/)
    expect(
      decryptField(
        t.deps.privacy.ring,
        c.piiKeyId!,
        c.phoneSealed!,
        `complaints:${c.trackingNo}:phone`,
      ),
    ).toBe('13800138000')
    const business = await t.deps.db
      .selectFrom('enterprises')
      .select('complaintCount')
      .where('uscc', '=', uscc)
      .executeTakeFirstOrThrow()
    expect(business.complaintCount).toBe(1)
    expect(await timeline(c.id)).toMatchObject([
      { kind: 'hotline_dispatched', isPublic: true, actor: 'hotline' },
    ])

    // Dispatched again under another webhook-id: linked to the same case, counted once.
    await postEvent(app, secret, dispatched(ticketNo, { respondent_uscc: uscc }))
    await apply()
    expect(
      await t.deps.db
        .selectFrom('hotlineTickets')
        .select('complaintId')
        .where('ticketNo', '=', ticketNo)
        .execute(),
    ).toHaveLength(1)
    expect(
      (
        await t.deps.db
          .selectFrom('enterprises')
          .select('complaintCount')
          .where('uscc', '=', uscc)
          .executeTakeFirstOrThrow()
      ).complaintCount,
    ).toBe(1)
    expect((await timeline(c.id)).map((e) => e.kind)).toEqual([
      'hotline_dispatched',
      'hotline_redispatched',
    ])

    const res = await app.request('/api/admin/cases?channel=hotline12345', {
      headers: admin.headers,
    })
    expect(res.status).toBe(200)
    const page = (await res.json()) as { items: { id: string; channel: string }[] }
    expect(page.items.find((i) => i.id === c.id)).toMatchObject({ channel: 'hotline12345' })
  })

  it('flags urged and supervised cases and puts them first in the queue', async () => {
    const [plain, urged, supervised] = [newTicketNo(), newTicketNo(), newTicketNo()]
    // The plain one is due first: only the priority can lift the others above it.
    await postEvent(
      app,
      secret,
      dispatched(plain, { area_code: '331127', deadline: '2026-11-30T17:00:00+08:00' }),
    )
    for (const ticket of [urged, supervised]) {
      await postEvent(app, secret, dispatched(ticket, { area_code: '331127' }))
    }
    await postEvent(app, secret, later('ticket.urged', urged, '2026-11-27T10:00:00+08:00'))
    await postEvent(app, secret, later('ticket.urged', supervised, '2026-11-27T10:00:00+08:00'))
    await postEvent(
      app,
      secret,
      later('ticket.supervised', supervised, '2026-11-28T10:00:00+08:00', { note: '限期办结' }),
    )
    await apply()
    expect(await caseOfTicket(plain)).toMatchObject({ priority: 0, urgeCount: 0 })
    expect(await caseOfTicket(urged)).toMatchObject({ priority: 1, urgeCount: 1 })
    expect(await caseOfTicket(supervised)).toMatchObject({
      priority: 2,
      urgeCount: 1,
      supervisedAt: new Date('2026-11-28T10:00:00+08:00'),
    })
    const res = await app.request('/api/admin/cases?county=331127', { headers: admin.headers })
    const page = (await res.json()) as {
      items: { id: string; priority: number; priorityName: string | null }[]
    }
    const ids = await Promise.all(
      [supervised, urged, plain].map(async (no) => (await caseOfTicket(no))!.id),
    )
    expect(page.items.map((i) => [i.id, i.priority, i.priorityName])).toEqual([
      [ids[0], 2, '督办'],
      [ids[1], 1, '催办'],
      [ids[2], 0, null],
    ])
    // The case page flags it the same way.
    const detail = await app.request(`/api/admin/cases/${ids[0]}`, { headers: admin.headers })
    expect(await detail.json()).toMatchObject({ priority: 2, priorityName: '督办' })
    const entries = await timeline(ids[0]!)
    expect(entries.map((e) => [e.kind, e.isPublic])).toEqual([
      ['hotline_dispatched', true],
      ['hotline_urged', false],
      ['hotline_supervised', false],
    ])
  })

  it('holds events that come before their dispatch and applies them, in time order, once it comes', async () => {
    const ticketNo = newTicketNo()
    const urge = await postEvent(
      app,
      secret,
      later('ticket.urged', ticketNo, '2026-11-27T10:00:00+08:00'),
    )
    const supplement = await postEvent(
      app,
      secret,
      later('ticket.supplemented', ticketNo, '2026-11-26T12:00:00+08:00', {
        content: '补充购物小票',
        attachments: ['https://12345.example/receipt.jpg'],
      }),
    )
    expect(await apply()).toMatchObject([{ result: 'held' }, { result: 'held' }])
    expect((await inboxRow(urge.id)).state).toBe('held')
    expect(await caseOfTicket(ticketNo)).toBeUndefined()

    await postEvent(app, secret, dispatched(ticketNo))
    expect(await apply()).toMatchObject([{ result: 'applied', alsoApplied: 2 }])
    expect((await inboxRow(urge.id)).state).toBe('applied')
    expect((await inboxRow(supplement.id)).state).toBe('applied')
    const c = (await caseOfTicket(ticketNo))!
    expect(c).toMatchObject({ priority: 1, urgeCount: 1 })
    expect((await timeline(c.id)).map((e) => e.kind)).toEqual([
      'hotline_dispatched',
      'hotline_supplemented',
      'hotline_urged',
    ])
    const ticket = await t.deps.db
      .selectFrom('hotlineTickets')
      .select('attachments')
      .where('ticketNo', '=', ticketNo)
      .executeTakeFirstOrThrow()
    expect(ticket.attachments).toEqual(['https://12345.example/receipt.jpg'])
  })

  it('follows return and extension decisions, revisits, reopening and closing', async () => {
    const ticketNo = newTicketNo()
    const at = (hhmm: string, day = 27) => `2026-11-${day}T${hhmm}:00+08:00`
    await postEvent(app, secret, dispatched(ticketNo))
    await postEvent(
      app,
      secret,
      later('ticket.return_decided', ticketNo, at('10:00'), {
        decision: 'rejected',
        opinion: '属于市场监管职责',
      }),
    )
    await postEvent(
      app,
      secret,
      later('ticket.extension_decided', ticketNo, at('11:00'), {
        decision: 'approved',
        new_deadline: '2026-12-24T17:00:00+08:00',
      }),
    )
    await apply()
    expect(await caseOfTicket(ticketNo)).toMatchObject({
      status: 'received',
      returnState: 'rejected',
      extensionState: 'approved',
      dueAt: new Date('2026-12-24T17:00:00+08:00'),
      deadline: new Date('2026-12-24T17:00:00+08:00'),
    })

    await postEvent(app, secret, later('ticket.closed', ticketNo, at('09:00', 29)))
    await postEvent(
      app,
      secret,
      later('ticket.revisited', ticketNo, at('10:00', 29), { satisfaction: 'dissatisfied' }),
    )
    await apply()
    expect(await caseOfTicket(ticketNo)).toMatchObject({
      status: 'closed',
      satisfaction: 'dissatisfied',
      closedAt: new Date(at('09:00', 29)),
    })

    await postEvent(
      app,
      secret,
      later('ticket.reopened', ticketNo, at('11:00', 29), {
        reason: '市民对处理结果不满意',
        deadline: '2026-12-15T17:00:00+08:00',
      }),
    )
    await apply()
    expect(await caseOfTicket(ticketNo)).toMatchObject({
      status: 'in_progress',
      closedAt: null,
      dueAt: new Date('2026-12-15T17:00:00+08:00'),
    })

    await postEvent(
      app,
      secret,
      later('ticket.return_decided', ticketNo, at('12:00', 29), { decision: 'approved' }),
    )
    await apply()
    const c = (await caseOfTicket(ticketNo))!
    expect(c).toMatchObject({ status: 'returned', returnState: 'approved' })
    expect((await timeline(c.id)).map((e) => [e.kind, e.isPublic])).toEqual([
      ['hotline_dispatched', true],
      ['hotline_return_rejected', false],
      ['hotline_extension_approved', true],
      ['hotline_closed', true],
      ['hotline_revisited', false],
      ['hotline_reopened', true],
      ['hotline_return_approved', false],
    ])
  })

  it('keeps the console’s sign-off when an older hotline event arrives after it', async () => {
    const ticketNo = newTicketNo()
    await postEvent(app, secret, dispatched(ticketNo))
    await apply()
    const c = (await caseOfTicket(ticketNo))!
    // What the console's 签收 writes (another module): the status and its timeline entry.
    await t.deps.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('complaints')
        .set({ status: 'accepted' })
        .where('id', '=', c.id)
        .execute()
      await trx
        .insertInto('complaintEvents')
        .values({
          complaintId: c.id,
          kind: 'hotline_signed',
          isPublic: true,
          note: '已签收',
          actor: admin.operator.username,
          occurredAt: new Date('2026-11-27T09:00:00+08:00'),
        })
        .execute()
    })
    await postEvent(app, secret, later('ticket.urged', ticketNo, '2026-11-26T18:00:00+08:00'))
    await apply()
    expect(await caseOfTicket(ticketNo)).toMatchObject({ status: 'accepted', priority: 1 })
  })
})
