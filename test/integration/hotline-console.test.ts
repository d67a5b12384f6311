import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import type { SignedInOperator } from '../../api/services/admin/access.ts'
import {
  caseMachine,
  hotlineActions,
  nextStatus,
  refusalOf,
  type CaseAction,
} from '../../api/services/admin/cases/machine.ts'
import type { CaseDetail } from '../../api/services/admin/cases/schemas.ts'
import { encryptField } from '../../api/privacy/pii.ts'
import {
  complaintStatuses,
  type ComplaintStatus,
  type HotlineRequestState,
} from '../../db/database.ts'
import { listStalled } from '../../api/services/admin/hotline/stalled-events.ts'
import { insertHotlineCase } from '../support/hotline.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { signedInOperator, type TestOperator } from '../support/operators.ts'

/**
 * The console's side of a 12345 work order: the hotline actions in the state machine, each one
 * a timeline entry, an audit entry and a queued callback in one transaction; the ticket's facts
 * and its callbacks' delivery on the case; and the city_admin's view of refused inbound events.
 */

let t: TestContext
let app: ReturnType<typeof createApp>
let handler: TestOperator
let colleague: TestOperator
let admin: TestOperator
let viewer: TestOperator

beforeAll(async () => {
  t = await createTestContext()
  app = createApp(t.deps)
  handler = await signedInOperator(t.deps, 'county_handler', '331102')
  colleague = await signedInOperator(t.deps, 'county_handler', '331102')
  admin = await signedInOperator(t.deps, 'city_admin')
  viewer = await signedInOperator(t.deps, 'viewer')
})
afterAll(() => t.cleanup())

const post = (path: string, as: TestOperator, body?: unknown) =>
  app.request(path, {
    method: 'POST',
    headers: { ...as.headers, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })

async function caseOf(id: string, as = handler): Promise<CaseDetail> {
  const res = await app.request(`/api/admin/cases/${id}`, { headers: as.headers })
  expect(res.status).toBe(200)
  return (await res.json()) as CaseDetail
}

async function act(id: string, body: Record<string, unknown>, as = handler) {
  const version = body.version ?? (await caseOf(id)).version
  return post(`/api/admin/cases/${id}/actions`, as, { ...body, version })
}

const errorOf = async (res: Response) =>
  ((await res.json()) as { error: { code: string; message: string; details?: unknown } }).error

const messagesOf = (error: { details?: unknown }) =>
  (error.details as { message: string }[]).map((d) => d.message)

/** Everything an action writes, to prove a refused one wrote nothing. */
async function writes(id: string) {
  const db = t.deps.db
  const [row, events, audit, callbacks, ticket] = await Promise.all([
    db.selectFrom('complaints').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
    db.selectFrom('complaintEvents').selectAll().where('complaintId', '=', id).execute(),
    // The actions' entries; each view of the case is audited too (admin-cases-access.test.ts).
    db
      .selectFrom('auditLog')
      .select(['action', 'detail'])
      .where('complaintId', '=', id)
      .where('action', '!=', 'case.viewed')
      .execute(),
    // The payload as stored (the camel-case plugin would rename its keys).
    db
      .selectFrom('hotlineCallbacks')
      .selectAll()
      .select(sql<string>`payload::text`.as('payloadText'))
      .where('complaintId', '=', id)
      .orderBy('id')
      .execute()
      .then((rows) =>
        rows.map(({ payloadText, ...r }) => ({
          ...r,
          payload: JSON.parse(payloadText) as unknown,
        })),
      ),
    db
      .selectFrom('hotlineTickets')
      .selectAll()
      .where('complaintId', '=', id)
      .executeTakeFirstOrThrow(),
  ])
  return { row, events, audit, callbacks, ticket }
}

const completion = {
  action: 'report_completion',
  finding: 'partly_substantiated',
  followUp: 'penalized',
  resolved: 'false',
  handlingResult: '经现场复秤，该摊位电子秤偏差超出允许误差，已责令停用并立案调查。',
  publicReply: '您反映的情况属实，我局已责令商户停用问题电子秤并依法立案调查。',
  contactedAt: '2026-11-26T15:20',
}

describe('the hotline actions in the state machine', () => {
  const op: SignedInOperator = {
    id: '1',
    username: 'h',
    role: 'county_handler',
    countyCode: '331102',
  }
  /** "status action → status" for a hotline case whose requests are all `none`. */
  const transitions = `
    received    correct_contact → received
    accepted    correct_contact → accepted
    rejected    correct_contact → rejected
    in_progress correct_contact → in_progress
    resolved    correct_contact → resolved
    closed      correct_contact → closed
    returned    correct_contact → returned
    review      correct_contact → review
    merged      correct_contact → merged
    review      assign → review
    review      note → review
    received    assign → received
    accepted    assign → accepted
    in_progress assign → in_progress
    received    note → received
    accepted    note → accepted
    rejected    note → rejected
    in_progress note → in_progress
    resolved    note → resolved
    received    sign → accepted
    received    request_return → received
    accepted    request_return → accepted
    in_progress request_return → in_progress
    accepted    request_extension → accepted
    in_progress request_extension → in_progress
    accepted    report_progress → in_progress
    in_progress report_progress → in_progress
    accepted    report_completion → resolved
    in_progress report_completion → resolved
  `
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
  const none = { returnState: 'none', extensionState: 'none' } as const

  it('allows on a hotline case exactly the listed transitions, and refuses the rest in Chinese', () => {
    for (const status of complaintStatuses) {
      for (const action of Object.keys(caseMachine) as CaseAction[]) {
        // Not a handler's to take at all (the city administrator's 删除个人信息).
        if (!caseMachine[action].roles.includes(op.role)) continue
        const facts = {
          status,
          kind: 'complaint' as const,
          countyCode: '331102',
          channel: 'hotline12345' as const,
          ticket: none,
        }
        const listed = transitions.find(([from, a]) => from === status && a === action)
        const refusal = refusalOf(op, facts, action)
        if (listed) {
          expect(refusal, `${status} ${action}`).toBeNull()
          expect(nextStatus(facts, action)).toBe(listed[3])
        } else {
          expect(refusal?.code, `${status} ${action}`).toBe('CONFLICT')
          expect(refusal?.message).toContain(`不能“${caseMachine[action].label}”`)
          expect(refusal?.message).toMatch(/^本案是来自12345 热线的投诉/)
        }
      }
    }
  })

  it('offers the hotline actions on no web case', () => {
    for (const status of complaintStatuses) {
      for (const action of hotlineActions) {
        const facts = {
          status,
          kind: 'report' as const,
          countyCode: '331102',
          channel: 'web' as const,
        }
        expect(refusalOf(op, facts, action)?.code).toBe('CONFLICT')
      }
    }
  })

  it('allows one pending request of each kind at a time', () => {
    const at = (returnState: HotlineRequestState, extensionState: HotlineRequestState) => ({
      status: 'in_progress' as ComplaintStatus,
      kind: 'complaint' as const,
      countyCode: '331102',
      channel: 'hotline12345' as const,
      ticket: { returnState, extensionState },
    })
    expect(refusalOf(op, at('requested', 'none'), 'request_return')?.message).toContain(
      '退单申请已提交，正在等待 12345 热线审核',
    )
    expect(refusalOf(op, at('approved', 'none'), 'request_return')?.message).toContain(
      '12345 热线已同意退单',
    )
    expect(refusalOf(op, at('rejected', 'none'), 'request_return')).toBeNull()
    expect(refusalOf(op, at('none', 'requested'), 'request_extension')?.message).toContain(
      '延期申请已提交',
    )
    expect(refusalOf(op, at('none', 'approved'), 'request_extension')).toBeNull()
  })
})

describe('hotline actions in the console', () => {
  it('offers a received hotline case signing and a return request, never the web’s acceptance', async () => {
    const c = await insertHotlineCase(t.deps.db)
    const view = await caseOf(c.id)
    expect(view.allowedActions.map((a) => a.action)).toEqual([
      'assign',
      'note',
      'sign',
      'request_return',
      'correct_contact',
    ])
    expect(view.hotline).toMatchObject({
      ticketNo: c.ticketNo,
      title: '反映城西农贸市场摊位缺斤短两',
      appealType: '投诉',
      urgencyName: '一般',
      urgeCount: 0,
      supervisedAt: null,
      returnStateName: '未申请',
      extensionStateName: '未申请',
      satisfaction: null,
      callbackUrlConfigured: false,
      callbacks: [],
    })
    const res = await act(c.id, { action: 'accept' })
    expect(res.status).toBe(409)
    expect((await errorOf(res)).message).toBe(
      '本案是来自12345 热线的投诉，当前状态为“已接收”，不能“受理”（“受理”只适用于来自网上投诉举报的案件）。当前可以：“指派”、“内部备注”、“签收”、“退单申请”、“更正联系方式”。',
    )
  })

  it('signs: accepted, a public entry, a ticket.signed callback and an audit entry, together', async () => {
    const c = await insertHotlineCase(t.deps.db)
    const res = await act(c.id, { action: 'sign' })
    expect(res.status).toBe(200)
    const after = await writes(c.id)
    expect(after.row.status).toBe('accepted')
    expect(after.row.acceptedAt).not.toBeNull()
    expect(after.events.at(-1)).toMatchObject({
      kind: 'hotline_signed',
      isPublic: true,
      actor: handler.operator.username,
    })
    expect(after.callbacks).toHaveLength(1)
    const callback = after.callbacks[0]!
    expect(callback).toMatchObject({
      eventType: 'ticket.signed',
      ticketNo: c.ticketNo,
      state: 'pending',
      operatorId: handler.operator.id,
      payload: {
        type: 'ticket.signed',
        ticket_no: c.ticketNo,
        detail: { handler_unit: '莲都区市场监督管理局' },
      },
    })
    expect(callback.webhookId).toMatch(/^msg_[A-Za-z0-9]{16,64}$/)
    expect(after.audit).toEqual([
      {
        action: 'case.sign',
        detail: expect.objectContaining({
          from: 'received',
          to: 'accepted',
          ticketNo: c.ticketNo,
          webhookId: callback.webhookId,
        }) as unknown,
      },
    ])
    const view = (await res.json()) as CaseDetail
    expect(view.hotline?.callbacks).toEqual([
      expect.objectContaining({
        webhookId: callback.webhookId,
        typeName: '签收',
        state: 'pending',
        stateName: '等待发送',
        attempts: 0,
        nextAttemptAt: expect.any(String) as unknown,
      }),
    ])
  })

  it('requests a return with reason and legal basis: internal entry, ticket marked, refused twice', async () => {
    const c = await insertHotlineCase(t.deps.db)
    const res = await act(c.id, {
      action: 'request_return',
      returnReason: '反映的是物业收费问题，不属于计量。',
      legalBasis: '《浙江省市场监督管理局职能配置》不含物业收费。',
    })
    expect(res.status).toBe(200)
    const after = await writes(c.id)
    expect(after.row.status).toBe('received')
    expect(after.ticket.returnState).toBe('requested')
    expect(after.events.at(-1)).toMatchObject({ kind: 'hotline_return_requested', isPublic: false })
    expect(after.callbacks[0]?.payload).toMatchObject({
      type: 'ticket.return_requested',
      detail: {
        reason: '反映的是物业收费问题，不属于计量。',
        legal_basis: '《浙江省市场监督管理局职能配置》不含物业收费。',
      },
    })
    expect(after.audit.map((a) => a.action)).toEqual(['case.request_return'])

    const again = await act(c.id, {
      action: 'request_return',
      returnReason: '再次申请。',
      legalBasis: '同上。',
    })
    expect(again.status).toBe(409)
    expect((await errorOf(again)).message).toContain('退单申请已提交，正在等待 12345 热线审核')
    expect(await writes(c.id)).toEqual(after)
  })

  it('requests an extension with days and reason, after signing only', async () => {
    const c = await insertHotlineCase(t.deps.db)
    const early = await act(c.id, {
      action: 'request_extension',
      days: 5,
      extensionReason: '需要等待检定结果。',
    })
    expect(early.status).toBe(409)
    expect((await errorOf(early)).message).toContain('不能“延期申请”')
    await act(c.id, { action: 'sign' })
    const invalid = await act(c.id, {
      action: 'request_extension',
      days: '0',
      extensionReason: ' ',
    })
    expect(invalid.status).toBe(400)
    expect(messagesOf(await errorOf(invalid))).toEqual(['延期天数至少 1 天', '请填写延期理由'])
    const res = await act(c.id, {
      action: 'request_extension',
      days: '10',
      extensionReason: '需要送检电子秤，检定结果 7 个工作日后才出。',
    })
    expect(res.status).toBe(200)
    const after = await writes(c.id)
    expect(after.ticket.extensionState).toBe('requested')
    expect(after.events.at(-1)).toMatchObject({
      kind: 'hotline_extension_requested',
      isPublic: false,
    })
    expect(after.callbacks.map((c) => c.payload)).toEqual([
      expect.objectContaining({ type: 'ticket.signed' }),
      expect.objectContaining({
        type: 'ticket.extension_requested',
        detail: { days: 10, reason: '需要送检电子秤，检定结果 7 个工作日后才出。' },
      }),
    ])
    expect(after.audit.map((a) => a.action)).toEqual(['case.sign', 'case.request_extension'])
    expect(after.audit[1]?.detail).toMatchObject({ days: 10 })
  })

  it('notes progress (public, in progress) and completes with the 办结反馈 fields', async () => {
    const c = await insertHotlineCase(t.deps.db)
    await act(c.id, { action: 'sign' })
    const progress = await act(c.id, { action: 'report_progress', note: '已到现场复秤。' })
    expect(progress.status).toBe(200)
    expect((await writes(c.id)).row.status).toBe('in_progress')

    const missing = await act(c.id, { action: 'report_completion', publicReply: '已处理。' })
    expect(missing.status).toBe(400)
    expect(messagesOf(await errorOf(missing))).toEqual([
      '请选择核查认定：查实、部分查实、不属实或无法查实',
      '请选择后续处理（没有后续处理时选“无后续处理”）',
      '请选择问题是否已解决',
      '请填写办理结果',
      '请填写联系诉求人的时间',
    ])
    const res = await act(c.id, completion)
    expect(res.status).toBe(200)
    const after = await writes(c.id)
    expect(after.row).toMatchObject({
      status: 'resolved',
      handlingResult: completion.handlingResult,
      publicReply: completion.publicReply,
    })
    expect(after.row.resolvedAt).not.toBeNull()
    expect(after.events.map((e) => [e.kind, e.isPublic])).toEqual([
      ['hotline_dispatched', true],
      ['hotline_signed', true],
      ['hotline_progress', true],
      ['hotline_completed', true],
    ])
    expect(after.callbacks.map((c) => c.payload)).toEqual([
      expect.objectContaining({ type: 'ticket.signed' }),
      expect.objectContaining({ type: 'ticket.progress', detail: { note: '已到现场复秤。' } }),
      expect.objectContaining({
        type: 'ticket.completed',
        occurred_at: expect.stringMatching(
          /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/,
        ) as unknown,
        detail: {
          is_substantiated: true,
          resolved: false,
          handling_note: completion.handlingResult,
          public_reply: completion.publicReply,
          contacted_at: '2026-11-26T15:20:00+08:00',
        },
      }),
    ])
    expect(after.audit.map((a) => a.action)).toEqual([
      'case.sign',
      'case.report_progress',
      'case.report_completion',
    ])
    expect(after.audit[2]?.detail).toMatchObject({
      finding: 'partly_substantiated',
      followUp: 'penalized',
      resolved: false,
    })
    // Finished: a note and a correction are left, and the web's archiving is not offered.
    expect((await caseOf(c.id)).allowedActions.map((a) => a.action)).toEqual([
      'note',
      'correct_contact',
    ])
  })

  it('answers 409 to a stale version and writes nothing, callback included', async () => {
    const c = await insertHotlineCase(t.deps.db)
    const { version } = await caseOf(c.id)
    expect((await act(c.id, { action: 'sign', version })).status).toBe(200)
    const before = await writes(c.id)
    const res = await act(
      c.id,
      { action: 'request_return', returnReason: '不归我们管。', legalBasis: '职责规定。', version },
      colleague,
    )
    expect(res.status).toBe(409)
    expect((await errorOf(res)).message).toBe('该案件已被他人更新，请刷新后查看最新内容再操作。')
    expect(await writes(c.id)).toEqual(before)
  })

  it('refuses a hotline action to a viewer and to another county’s handler', async () => {
    const c = await insertHotlineCase(t.deps.db)
    const otherCounty = await signedInOperator(t.deps, 'county_handler', '331121')
    expect((await act(c.id, { action: 'sign' }, viewer)).status).toBe(403)
    expect((await act(c.id, { action: 'sign', version: 1 }, otherCounty)).status).toBe(404)
    expect((await writes(c.id)).callbacks).toEqual([])
  })

  it('refuses signing a web case', async () => {
    const c = await insertHotlineCase(t.deps.db, { kind: 'report' })
    await t.deps.db.deleteFrom('hotlineTickets').where('complaintId', '=', c.id).execute()
    await t.deps.db
      .updateTable('complaints')
      .set({ channel: 'web' })
      .where('id', '=', c.id)
      .execute()
    const res = await act(c.id, { action: 'sign' })
    expect(res.status).toBe(409)
    expect((await errorOf(res)).message).toContain('“签收”只适用于来自12345 热线的案件')
  })
})

describe('rejected inbound events', () => {
  const dispatched = (ticketNo: string, title: string | undefined) => ({
    type: 'ticket.dispatched',
    occurred_at: '2026-11-26T09:30:00+08:00',
    ticket: {
      ticket_no: ticketNo,
      ...(title === undefined ? {} : { title }),
      content: '市民王大伟（电话 13905781234）反映菜场摊位缺斤短两。',
      appeal_type: '投诉',
      urgency: 'normal',
      contact_name: '王大伟',
      contact_phone: '13905781234',
      area_code: '331102',
      assigned_at: '2026-11-26T09:30:00+08:00',
      deadline: '2026-12-03T17:30:00+08:00',
    },
  })

  async function storeRejected(webhookId: string, body: unknown) {
    const raw = JSON.stringify(body)
    const sealed = encryptField(t.deps.privacy.ring, raw, `hotline_inbox:${webhookId}`)
    const errors = [{ field: 'ticket.title', message: 'title（工单标题）不能为空。' }]
    await t.deps.db
      .insertInto('hotlineInbox')
      .values({
        webhookId,
        webhookTimestamp: new Date(),
        bodySha256: createHash('sha256').update(raw).digest(),
        piiKeyId: sealed.keyId,
        bodySealed: sealed.sealed,
        state: 'rejected',
        responseStatus: 400,
        responseBody: JSON.stringify({ error: { code: 'VALIDATION_FAILED' } }),
        errors: JSON.stringify(errors),
      })
      .execute()
  }

  it('lists them to a city_admin only, bodies opened with phone and name masked, and audits it', async () => {
    await storeRejected('msg_listRejected000001', dispatched('LS12345-20261126-900001', undefined))
    for (const as of [handler, viewer]) {
      const refused = await app.request('/api/admin/hotline/rejected-events', {
        headers: as.headers,
      })
      expect(refused.status).toBe(403)
    }
    const res = await app.request('/api/admin/hotline/rejected-events', { headers: admin.headers })
    expect(res.status).toBe(200)
    const text = await res.text()
    expect(text).not.toContain('13905781234')
    expect(text).not.toContain('王大伟')
    const item = (JSON.parse(text) as { items: Record<string, unknown>[] }).items.find(
      (i) => i.webhookId === 'msg_listRejected000001',
    )!
    expect(item.errors).toEqual([{ field: 'ticket.title', message: 'title（工单标题）不能为空。' }])
    const body = JSON.parse(item.body as string) as { ticket: Record<string, string> }
    expect(body.ticket).toMatchObject({
      contact_name: '王**',
      contact_phone: '139****1234',
      content: '市民王**（电话 139****1234）反映菜场摊位缺斤短两。',
    })
    const audit = await t.deps.db
      .selectFrom('auditLog')
      .select(['username', 'detail'])
      .where('action', '=', 'hotline.rejected_viewed')
      .execute()
    expect(audit).toEqual([
      expect.objectContaining({
        username: admin.operator.username,
        detail: expect.objectContaining({ webhookIds: ['msg_listRejected000001'] }) as unknown,
      }),
    ])
  })

  it('re-validates on retry: still invalid answers the errors, now valid goes to the inbound worker', async () => {
    await storeRejected('msg_stillInvalid000001', dispatched('LS12345-20261126-900002', undefined))
    const invalid = await post(
      '/api/admin/hotline/rejected-events/msg_stillInvalid000001/retry',
      admin,
    )
    expect(invalid.status).toBe(409)
    const error = await errorOf(invalid)
    expect(error.message).toContain('这条事件仍未通过校验')
    expect(error.details).toEqual([
      { field: 'ticket.title', message: expect.any(String) as unknown },
    ])
    const kept = await t.deps.db
      .selectFrom('hotlineInbox')
      .select('state')
      .where('webhookId', '=', 'msg_stillInvalid000001')
      .executeTakeFirstOrThrow()
    expect(kept.state).toBe('rejected')

    // Stored with a title: refused under an older schema, valid under today's.
    await storeRejected('msg_nowValid00000001', dispatched('LS12345-20261126-900003', '缺斤短两'))
    expect(
      (await post('/api/admin/hotline/rejected-events/msg_nowValid00000001/retry', handler)).status,
    ).toBe(403)
    const res = await post('/api/admin/hotline/rejected-events/msg_nowValid00000001/retry', admin)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      webhookId: 'msg_nowValid00000001',
      state: 'pending',
      eventType: 'ticket.dispatched',
      ticketNo: 'LS12345-20261126-900003',
    })
    const row = await t.deps.db
      .selectFrom('hotlineInbox')
      .select(['state', 'eventType', 'ticketNo', 'occurredAt', 'errors'])
      .where('webhookId', '=', 'msg_nowValid00000001')
      .executeTakeFirstOrThrow()
    expect(row).toMatchObject({
      state: 'pending',
      eventType: 'ticket.dispatched',
      ticketNo: 'LS12345-20261126-900003',
      occurredAt: new Date('2026-11-26T01:30:00Z'),
      errors: null,
    })
    const again = await post('/api/admin/hotline/rejected-events/msg_nowValid00000001/retry', admin)
    expect(again.status).toBe(404)
    const audit = await t.deps.db
      .selectFrom('auditLog')
      .select('detail')
      .where('action', '=', 'hotline.rejected_retried')
      .orderBy('id')
      .execute()
    expect(audit.map((a) => a.detail)).toEqual([
      { webhookId: 'msg_stillInvalid000001', outcome: 'still_invalid', errors: 1 },
      { webhookId: 'msg_nowValid00000001', outcome: 'requeued', errors: 0 },
    ])
  })
})

describe('inbound events that do not become part of a case', () => {
  async function store(
    webhookId: string,
    facts: { state: 'held' | 'pending' | 'applied'; receivedAt: Date; attempts?: number },
  ) {
    const raw = JSON.stringify({ type: 'ticket.urged', webhook: webhookId })
    const sealed = encryptField(t.deps.privacy.ring, raw, `hotline_inbox:${webhookId}`)
    await t.deps.db
      .insertInto('hotlineInbox')
      .values({
        webhookId,
        webhookTimestamp: facts.receivedAt,
        receivedAt: facts.receivedAt,
        bodySha256: createHash('sha256').update(raw).digest(),
        piiKeyId: sealed.keyId,
        bodySealed: sealed.sealed,
        eventType: 'ticket.urged',
        ticketNo: `LS12345-20261126-${webhookId.slice(-6)}`,
        occurredAt: facts.receivedAt,
        state: facts.state,
        attempts: facts.attempts ?? 0,
        lastError: facts.attempts ? 'deadlock detected' : null,
        responseStatus: 202,
        responseBody: JSON.stringify({ received: true }),
      })
      .execute()
  }

  it('lists to a city_admin the events held over an hour and those failing to apply, nothing else', async () => {
    const now = new Date('2026-11-27T10:00:00Z')
    const hoursAgo = (h: number) => new Date(now.getTime() - h * 3600_000)
    await store('msg_stalledHeldOld000001', { state: 'held', receivedAt: hoursAgo(2) })
    await store('msg_stalledHeldNew000002', { state: 'held', receivedAt: hoursAgo(0.5) })
    await store('msg_stalledFailing000003', {
      state: 'pending',
      receivedAt: hoursAgo(0.1),
      attempts: 3,
    })
    await store('msg_stalledPending000004', { state: 'pending', receivedAt: hoursAgo(0.1) })
    await store('msg_stalledApplied000005', {
      state: 'applied',
      receivedAt: hoursAgo(3),
      attempts: 1,
    })

    const stalled = await listStalled({ ctx: t.deps, operator: admin.operator, now })
    const ours = stalled.filter((e) => e.webhookId.startsWith('msg_stalled'))
    expect(ours.map((e) => [e.webhookId, e.stateName, e.typeName, e.attempts])).toEqual([
      ['msg_stalledHeldOld000001', '等待派单', '催办', 0],
      ['msg_stalledFailing000003', '处理出错，自动重试中', '催办', 3],
    ])
    expect(ours[1]!.lastError).toBe('deadlock detected')
    for (const who of [handler, viewer]) {
      await expect(listStalled({ ctx: t.deps, operator: who.operator, now })).rejects.toThrow(
        /只有市局管理员/,
      )
    }
  })
})
