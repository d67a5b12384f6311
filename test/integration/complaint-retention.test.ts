import { randomBytes } from 'node:crypto'
import { CompiledQuery, sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ComplaintStatus } from '../../db/database.ts'
import { deleteUnappliedEventsBefore } from '../../db/queries/personal-data.ts'
import { decryptField } from '../../api/privacy/pii.ts'
import { complaintChangedTopic, complaintKey } from '../../api/search/complaint-indexer.ts'
import { erasedName, erasedPhone, erasedText } from '../../api/domain/erasure.ts'
import {
  casesDueForErasure,
  erasePersonalDataPastRetention,
} from '../../api/services/admin/cases/retention.ts'
import { applyPendingInboxEvents } from '../../api/services/hotline/apply.ts'
import { openInboxEvent } from '../../api/services/hotline/inbox.ts'
import { signedInOperator, type TestOperator } from '../support/operators.ts'
import { dispatched, later, newTicketNo, postEvent } from '../support/hotline-inbound.ts'
import {
  act,
  auditOf,
  caseOf,
  casesWorld,
  countyA,
  fileCase,
  fileCaseWithPhoto,
  type CasesWorld,
} from './admin-cases-support.ts'

let w: CasesWorld
let admin: TestOperator
let handler: TestOperator

beforeAll(async () => {
  w = await casesWorld()
  admin = await signedInOperator(w.t.deps, 'city_admin')
  handler = await signedInOperator(w.t.deps, 'county_handler', countyA)
})
afterAll(() => w.stop())

const db = () => w.t.deps.db
const yearsAgo = (years: number, days = 0) => {
  const at = new Date()
  at.setUTCFullYear(at.getUTCFullYear() - years)
  return new Date(at.getTime() - days * 86_400_000)
}
const row = (id: string) =>
  db().selectFrom('complaints').selectAll().where('id', '=', id).executeTakeFirstOrThrow()

/** Moves a case and its whole timeline back to `at`, in `status`. */
async function endedAt(id: string, status: ComplaintStatus, at: Date) {
  await db()
    .updateTable('complaints')
    .set({ status, receivedAt: new Date(at.getTime() - 30 * 86_400_000) })
    .where('id', '=', id)
    .execute()
  await db()
    .updateTable('complaintEvents')
    .set({ occurredAt: at })
    .where('complaintId', '=', id)
    .execute()
}

describe('personal data past its retention period', () => {
  it('is erased from a case that ended more than three years ago, and from nothing else', async () => {
    const old = await fileCaseWithPhoto(w.app, w.t, countyA)
    const [photo] = await db()
      .selectFrom('complaintPhotos')
      .select('storageKey')
      .where('complaintId', '=', old.id)
      .execute()
    expect(await w.t.deps.photos.get(photo!.storageKey)).toBeDefined()
    await endedAt(old.id, 'closed', yearsAgo(3, 1))
    const before = await row(old.id)

    // Ended two years ago; still open after four; ended long ago but a handler wrote last year.
    const recent = await fileCase(w.app, w.t)
    await endedAt(recent.id, 'closed', yearsAgo(2))
    const open = await fileCase(w.app, w.t)
    await endedAt(open.id, 'accepted', yearsAgo(4))
    const touched = await fileCase(w.app, w.t)
    await endedAt(touched.id, 'resolved', yearsAgo(4))
    await db()
      .insertInto('complaintEvents')
      .values({
        complaintId: touched.id,
        kind: 'note',
        isPublic: false,
        note: '复查材料',
        actor: 'handler',
        occurredAt: yearsAgo(1),
      })
      .execute()

    expect(await erasePersonalDataPastRetention(w.t.deps)).toBe(1)

    const after = await row(old.id)
    expect(after).toMatchObject({
      nameSealed: null,
      phoneSealed: null,
      phoneHash: null,
      piiKeyId: null,
      description: erasedText,
      address: erasedText,
      personalDataErasure: 'retention',
      version: before.version + 1,
      // What statistics need stays.
      category: before.category,
      countyCode: before.countyCode,
      merchantName: before.merchantName,
      status: 'closed',
    })
    expect(after.personalDataErasedAt).toBeInstanceOf(Date)
    const photos = await db()
      .selectFrom('complaintPhotos')
      .select('id')
      .where('complaintId', '=', old.id)
      .execute()
    expect(photos).toEqual([])
    expect(await w.t.deps.photos.get(photo!.storageKey)).toBeUndefined()

    for (const kept of [recent, open, touched]) {
      const r = await row(kept.id)
      expect(r.nameSealed).not.toBeNull()
      expect(r.phoneSealed).not.toBeNull()
      expect(r.personalDataErasedAt).toBeNull()
    }

    const timeline = await db()
      .selectFrom('complaintEvents')
      .select(['kind', 'isPublic', 'actor'])
      .where('complaintId', '=', old.id)
      .execute()
    expect(timeline).toContainEqual({
      kind: 'personal_data_erased',
      isPublic: false,
      actor: 'system',
    })
    expect(await auditOf(w.t, old.id)).toContainEqual(
      expect.objectContaining({ action: 'case.personal_data_erased', username: 'system' }),
    )
    // The private index is told, so the description it holds goes too.
    const messages = await db()
      .selectFrom('outbox')
      .select('topic')
      .where('aggregateKey', '=', complaintKey(old.id))
      .where('state', '=', 'pending')
      .execute()
    expect(messages).toContainEqual({ topic: complaintChangedTopic })

    // Once is enough: the next sweep finds nothing.
    expect(await erasePersonalDataPastRetention(w.t.deps)).toBe(0)
  })

  it('takes the resident out of what handlers wrote, and keeps the handling record', async () => {
    const phone = '13955501234'
    const worked = await fileCase(w.app, w.t, { phone })
    const steps = [
      { action: 'accept' },
      { action: 'note', note: '已电话联系王小明（139 5550 1234），其家属电话 13800138000。' },
      { action: 'mediate', mediationResult: 'agreed', note: '王小明同意商户退还差价。' },
      {
        action: 'complete',
        finding: 'substantiated',
        followUp: 'mediated',
        handlingResult: '调解成功，商户退还差价 3.2 元；回访 139-5550-1234 表示满意。',
        publicReply: '王小明您好：经调解，商户已退还差价并致歉。',
      },
      { action: 'close' },
    ]
    for (const [i, step] of steps.entries()) {
      const res = await act(w.app, admin.headers, worked.id, { ...step, version: i + 1 })
      expect(res.status, await res.clone().text()).toBe(200)
    }
    const refused = await fileCase(w.app, w.t, { phone: '13955505678' })
    const rejected = await act(w.app, admin.headers, refused.id, {
      action: 'reject',
      version: 1,
      reason: 'other',
      note: '王小明来电（13955505678）撤回投诉。',
    })
    expect(rejected.status).toBe(200)
    await endedAt(worked.id, 'closed', yearsAgo(3, 2))
    await endedAt(refused.id, 'rejected', yearsAgo(3, 2))

    expect(await erasePersonalDataPastRetention(w.t.deps)).toBe(2)

    const after = await row(worked.id)
    expect(after.handlingResult).toBe(
      `调解成功，商户退还差价 3.2 元；回访 ${erasedPhone} 表示满意。`,
    )
    expect(after.publicReply).toBe(`${erasedName}您好：经调解，商户已退还差价并致歉。`)
    expect(after.mediationResult).toBe('agreed')
    expect((await row(refused.id)).rejectionNote).toBe(
      `${erasedName}来电（${erasedPhone}）撤回投诉。`,
    )

    const notes = await db()
      .selectFrom('complaintEvents')
      .select(['kind', 'note'])
      .where('complaintId', 'in', [worked.id, refused.id])
      .execute()
    expect(notes).toContainEqual({
      kind: 'note',
      note: `已电话联系${erasedName}（${erasedPhone}），其家属电话 138****8000。`,
    })
    expect(notes).toContainEqual({
      kind: 'mediated',
      note: expect.stringContaining(`${erasedName}同意`) as string,
    })
    const everything = JSON.stringify([notes, after, await row(refused.id)])
    for (const trace of ['王小明', '5550', '13800138000']) expect(everything).not.toContain(trace)
  })

  it('shows handlers that the details are gone and refuses to reveal them', async () => {
    const filed = await fileCase(w.app, w.t)
    await endedAt(filed.id, 'rejected', yearsAgo(3, 10))
    await erasePersonalDataPastRetention(w.t.deps)

    const view = await caseOf(w.app, admin.headers, filed.id)
    expect(view.personalDataErasedAt).not.toBeNull()
    expect(view.contact).toEqual({ name: null, phone: null })
    expect(view.description).toBe(erasedText)

    const reveal = await w.app.request(`/api/admin/cases/${filed.id}/reveal`, {
      method: 'POST',
      headers: admin.headers,
    })
    expect(reveal.status).toBe(409)
    const body = (await reveal.json()) as { error: { message: string } }
    expect(body.error.message).toContain('按保存期限删除')
    expect(await auditOf(w.t, filed.id)).not.toContainEqual(
      expect.objectContaining({ action: 'case.pii_revealed' }),
    )
  })

  it('takes the caller out of a 12345 case’s stored work orders, which still fold', async () => {
    const secret = w.t.deps.config.HOTLINE_WEBHOOK_SECRET!
    const ticketNo = newTicketNo()
    // With fields the contract does not name, which the hotline may add on its side: they are
    // accepted and ignored, but stored as sent.
    const idNumber = '330102199001011234'
    const sent = await postEvent(w.app, secret, {
      ...dispatched(ticketNo, { caller_id_no: idNumber }),
      caller: { id_no: idNumber },
    })
    expect(sent.res.status).toBe(202)
    // A supplement quoting the caller: its text goes into the case's timeline too. It repeats the
    // ticket's caller, as a later event's ticket may.
    const supplement = await postEvent(w.app, secret, {
      ...later('ticket.supplemented', ticketNo, '2026-11-26T10:00:00+08:00', {
        content: '市民补充：联系人李小梅，电话 13800138000，另有购物小票。',
        attachments: [],
        caller_note: `来电人身份证 ${idNumber}`,
      }),
      ticket: { ticket_no: ticketNo, contact_name: '李小梅', contact_phone: '13800138000' },
    })
    expect(supplement.res.status).toBe(202)
    await applyPendingInboxEvents(w.t.deps)
    const ticket = await db()
      .selectFrom('hotlineTickets')
      .select('complaintId')
      .where('ticketNo', '=', ticketNo)
      .executeTakeFirstOrThrow()
    await endedAt(ticket.complaintId, 'closed', yearsAgo(3, 5))
    // What the bureau sent back: the completion quotes the caller.
    await db()
      .insertInto('hotlineCallbacks')
      .values({
        webhookId: `msg_${randomBytes(12).toString('hex')}`,
        ticketNo,
        complaintId: ticket.complaintId,
        eventType: 'ticket.completed',
        payload: JSON.stringify({
          type: 'ticket.completed',
          occurred_at: yearsAgo(3, 5).toISOString(),
          ticket_no: ticketNo,
          detail: {
            is_substantiated: true,
            resolved: true,
            handling_note: '已联系李小梅（138 0013 8000），商户退还差价。',
            public_reply: '李小梅女士：商户已退还差价。',
            contacted_at: yearsAgo(3, 6).toISOString(),
          },
        }),
        state: 'delivered',
      })
      .execute()
    // One of its events sealed under a key since retired: it cannot be redacted, so it goes.
    const unreadable = `msg_${randomBytes(12).toString('hex')}`
    await db()
      .insertInto('hotlineInbox')
      .values({
        webhookId: unreadable,
        webhookTimestamp: yearsAgo(3, 5),
        bodySha256: randomBytes(32),
        piiKeyId: 'retired',
        bodySealed: randomBytes(64),
        eventType: 'ticket.urged',
        ticketNo,
        occurredAt: yearsAgo(3, 5),
        state: 'applied',
        responseStatus: 202,
        responseBody: JSON.stringify({}),
      })
      .execute()

    // Events that never became a case: a broken one from long ago goes, a recent one stays.
    const brokenOld = await postEvent(w.app, secret, { type: 'ticket.dispatched' })
    const brokenNew = await postEvent(w.app, secret, { type: 'ticket.dispatched' })
    expect(brokenOld.res.status).toBe(400)
    await db()
      .updateTable('hotlineInbox')
      .set({ receivedAt: yearsAgo(3, 1) })
      .where('webhookId', '=', brokenOld.id)
      .execute()

    expect(await erasePersonalDataPastRetention(w.t.deps)).toBeGreaterThanOrEqual(1)

    const stored = await db()
      .selectFrom('hotlineInbox')
      .select(['webhookId', 'piiKeyId', 'bodySealed'])
      .where('webhookId', '=', sent.id)
      .executeTakeFirstOrThrow()
    const raw = decryptField(
      w.t.deps.privacy.ring,
      stored.piiKeyId,
      stored.bodySealed,
      `hotline_inbox:${sent.id}`,
    )
    expect(raw).not.toContain('李小梅')
    expect(raw).not.toContain('13800138000')
    expect(raw).not.toContain('万象菜场买了两斤虾')
    expect(raw).not.toContain(idNumber)
    const event = openInboxEvent(w.t.deps.privacy.ring, stored)
    expect(event.ticket).toMatchObject({
      ticket_no: ticketNo,
      title: erasedText,
      content: erasedText,
    })
    expect(event.ticket).not.toHaveProperty('contact_name')
    expect(event.ticket).not.toHaveProperty('contact_phone')

    const supplemented = await db()
      .selectFrom('hotlineInbox')
      .select(['webhookId', 'piiKeyId', 'bodySealed'])
      .where('webhookId', '=', supplement.id)
      .executeTakeFirstOrThrow()
    expect(openInboxEvent(w.t.deps.privacy.ring, supplemented)).toMatchObject({
      detail: { content: erasedText },
    })
    const supplementRaw = decryptField(
      w.t.deps.privacy.ring,
      supplemented.piiKeyId,
      supplemented.bodySealed,
      `hotline_inbox:${supplement.id}`,
    )
    expect(JSON.parse(supplementRaw)).toMatchObject({ ticket: { ticket_no: ticketNo } })
    for (const quoted of ['李小梅', '13800138000', idNumber]) {
      expect(supplementRaw).not.toContain(quoted)
    }
    const notes = await db()
      .selectFrom('complaintEvents')
      .select(['kind', 'note'])
      .where('complaintId', '=', ticket.complaintId)
      .execute()
    expect(notes).toContainEqual({
      kind: 'hotline_supplemented',
      note: `12345 热线补充材料：${erasedText}`,
    })
    expect(JSON.stringify(notes)).not.toContain('13800138000')

    // As the delivery reads it: the contract's own keys.
    const [callback] = await db()
      .withoutPlugins()
      .selectFrom('hotline_callbacks' as 'hotlineCallbacks')
      .select('payload')
      .where('complaint_id' as 'complaintId', '=', ticket.complaintId)
      .execute()
    expect(callback!.payload).toMatchObject({
      ticket_no: ticketNo,
      detail: {
        is_substantiated: true,
        handling_note: `已联系${erasedName}（${erasedPhone}），商户退还差价。`,
        public_reply: `${erasedName}女士：商户已退还差价。`,
      },
    })

    const caseRow = await row(ticket.complaintId)
    expect(caseRow).toMatchObject({ nameSealed: null, phoneSealed: null, description: erasedText })
    const { title } = await db()
      .selectFrom('hotlineTickets')
      .select('title')
      .where('ticketNo', '=', ticketNo)
      .executeTakeFirstOrThrow()
    expect(title).toBe(erasedText)

    const left = await db()
      .selectFrom('hotlineInbox')
      .select('webhookId')
      .where('webhookId', 'in', [brokenOld.id, brokenNew.id, unreadable])
      .execute()
    expect(left.map((r) => r.webhookId)).toEqual([brokenNew.id])

    // The hotline reopens it: the redacted history still folds, and nothing personal comes back,
    // though the reason quotes the caller again.
    const reopen = await postEvent(
      w.app,
      secret,
      later('ticket.reopened', ticketNo, new Date().toISOString(), {
        reason: '市民李小梅（13800138000）对处理结果不满意',
      }),
    )
    expect(reopen.res.status).toBe(202)
    await applyPendingInboxEvents(w.t.deps)
    const reopened = await row(ticket.complaintId)
    expect(reopened.status).toBe('in_progress')
    expect(reopened.nameSealed).toBeNull()
    expect(reopened.description).toBe(erasedText)
    const reopenStored = await db()
      .selectFrom('hotlineInbox')
      .select(['webhookId', 'piiKeyId', 'bodySealed', 'state'])
      .where('webhookId', '=', reopen.id)
      .executeTakeFirstOrThrow()
    expect(reopenStored.state).toBe('applied')
    expect(openInboxEvent(w.t.deps.privacy.ring, reopenStored)).toMatchObject({
      detail: { reason: erasedText },
    })
    const reopenedNotes = await db()
      .selectFrom('complaintEvents')
      .select('note')
      .where('complaintId', '=', ticket.complaintId)
      .where('kind', '=', 'hotline_reopened')
      .execute()
    expect(reopenedNotes).toHaveLength(1)
    expect(reopenedNotes[0]!.note).toContain(erasedText)
    expect(reopenedNotes[0]!.note).not.toContain('李小梅')

    // What the handler writes on it from now on keeps no phone or ID number.
    const noted = await act(w.app, handler.headers, ticket.complaintId, {
      action: 'note',
      version: reopened.version,
      note: '回访 138 0013 8000 未接通，身份证 330102199001011234 的来电人另约时间。',
    })
    expect(noted.status).toBe(200)
    const written = await db()
      .selectFrom('complaintEvents')
      .select('note')
      .where('complaintId', '=', ticket.complaintId)
      .where('kind', '=', 'note')
      .executeTakeFirstOrThrow()
    expect(written.note).toBe(
      '回访 138****8000 未接通，身份证 330102********1234 的来电人另约时间。',
    )
  })
})

describe('the hourly sweep', () => {
  it('finds what it may erase through its indexes, without reading every case or event', async () => {
    const cutoff = yearsAgo(3)
    // With reading whole tables priced out, a query that no index serves still reads them all.
    const plans = await db()
      .transaction()
      .execute(async (trx) => {
        await sql`SET LOCAL enable_seqscan = off`.execute(trx)
        const due = await sql<{ 'QUERY PLAN': string }>`EXPLAIN ${casesDueForErasure(cutoff, 200)}`
          .execute(trx)
          .then((r) => r.rows.map((row) => row['QUERY PLAN']).join('\n'))
        const deletion = deleteUnappliedEventsBefore(trx, cutoff).compile()
        const events = await trx
          .executeQuery<{ 'QUERY PLAN': string }>(
            CompiledQuery.raw(`EXPLAIN ${deletion.sql}`, [...deletion.parameters]),
          )
          .then((r) => r.rows.map((row) => row['QUERY PLAN']).join('\n'))
        return { due, events }
      })
    expect(plans.due).toContain('complaints_retention_idx')
    expect(plans.due).not.toMatch(/Seq Scan on complaints/)
    expect(plans.events).toContain('hotline_inbox_unapplied_idx')
    expect(plans.events).not.toMatch(/Seq Scan on hotline_inbox/)
  })
})

describe('personal data erased at the resident’s request', () => {
  const note = '12345 工单 LS12345-20271203-0042：赵大海申请删除，已核对其身份证件。'

  it('is the city administrator’s console action on an ended case, and removes what retention would', async () => {
    const filed = await fileCaseWithPhoto(w.app, w.t, countyA)
    const steps = [
      { action: 'accept' },
      {
        action: 'complete',
        finding: 'unverifiable',
        followUp: 'none',
        handlingResult: '已联系赵大海核实。',
        publicReply: '已处理。',
      },
      { action: 'close' },
    ]
    for (const [i, step] of steps.entries()) {
      const res = await act(w.app, admin.headers, filed.id, { ...step, version: i + 1 })
      expect(res.status).toBe(200)
    }
    const erase = { action: 'erase_personal_data', version: 4, note }

    // Not a county handler's to do, and not while a case is still handled.
    const byHandler = await act(w.app, handler.headers, filed.id, erase)
    expect(byHandler.status).toBe(403)
    const open = await fileCase(w.app, w.t)
    const tooEarly = await act(w.app, admin.headers, open.id, { ...erase, version: 1 })
    expect(tooEarly.status).toBe(409)
    expect(((await tooEarly.json()) as { error: { message: string } }).error.message).toContain(
      '不能“删除个人信息”',
    )
    const withoutNote = await act(w.app, admin.headers, filed.id, { ...erase, note: ' ' })
    expect(withoutNote.status).toBe(400)
    const problems = (await withoutNote.json()) as { error: { details: unknown[] } }
    expect(problems.error.details).toContainEqual({ field: 'note', message: '请填写说明' })

    const res = await act(w.app, admin.headers, filed.id, erase)
    expect(res.status).toBe(200)
    const view = (await res.json()) as Awaited<ReturnType<typeof caseOf>>
    expect(view).toMatchObject({
      version: 5,
      status: 'closed',
      personalDataErasure: 'request',
      contact: { name: null, phone: null },
      description: erasedText,
      photos: [],
      allowedActions: [],
    })

    const after = await row(filed.id)
    expect(after).toMatchObject({
      nameSealed: null,
      phoneSealed: null,
      phoneHash: null,
      address: erasedText,
      handlingResult: `已联系${erasedName}核实。`,
    })
    const entry = await db()
      .selectFrom('complaintEvents')
      .select(['isPublic', 'actor', 'note'])
      .where('complaintId', '=', filed.id)
      .where('kind', '=', 'personal_data_erased')
      .executeTakeFirstOrThrow()
    expect(entry).toEqual({
      isPublic: false,
      actor: admin.operator.username,
      note: expect.stringContaining(`应投诉举报人本人申请`) as string,
    })
    expect(entry.note).toContain(`12345 工单 LS12345-20271203-0042：${erasedName}申请删除`)
    expect(await auditOf(w.t, filed.id)).toContainEqual(
      expect.objectContaining({
        action: 'case.erase_personal_data',
        username: admin.operator.username,
      }),
    )
    const photos = await db()
      .selectFrom('complaintPhotos')
      .select('id')
      .where('complaintId', '=', filed.id)
      .execute()
    expect(photos).toEqual([])

    const reveal = await w.app.request(`/api/admin/cases/${filed.id}/reveal`, {
      method: 'POST',
      headers: admin.headers,
    })
    expect(reveal.status).toBe(409)
    const refused = (await reveal.json()) as { error: { message: string } }
    expect(refused.error.message).toContain('应投诉举报人本人申请')

    // Once: a second request finds nothing left to delete.
    const again = await act(w.app, admin.headers, filed.id, { ...erase, version: 5 })
    expect(again.status).toBe(409)
    expect(((await again.json()) as { error: { message: string } }).error.message).toContain(
      '个人信息已经删除',
    )
  })
})

describe('an erasure held for reconsideration or a lawsuit', () => {
  it('keeps the resident’s data past its retention and against a request until it is lifted', async () => {
    const filed = await fileCase(w.app, w.t)
    await endedAt(filed.id, 'closed', yearsAgo(3, 1))
    const before = await row(filed.id)
    const hold = {
      action: 'hold_erasure',
      version: before.version,
      // A phone typed by mistake is masked: the reason is shown to every operator of the case.
      note: '行政复议 丽市监复〔2029〕3号，申请人电话 13912345678。',
    }

    expect((await act(w.app, handler.headers, filed.id, hold)).status).toBe(403)
    const held = await act(w.app, admin.headers, filed.id, hold)
    expect(held.status).toBe(200)
    const view = (await held.json()) as Awaited<ReturnType<typeof caseOf>>
    expect(view).toMatchObject({
      erasureHoldNote: '行政复议 丽市监复〔2029〕3号，申请人电话 139****5678。',
      allowedActions: [
        { action: 'correct_contact', label: '更正联系方式' },
        { action: 'lift_erasure_hold', label: '解除暂缓删除' },
      ],
    })
    expect(view.erasureHeldAt).not.toBeNull()

    // The sweep passes it by, and a request is refused with what to do instead.
    expect(await erasePersonalDataPastRetention(w.t.deps)).toBe(0)
    expect(await row(filed.id)).toMatchObject({ personalDataErasedAt: null })
    expect((await row(filed.id)).nameSealed).not.toBeNull()
    const refused = await act(w.app, admin.headers, filed.id, {
      action: 'erase_personal_data',
      version: view.version,
      note: '12345 工单：本人申请删除，已核对身份证件。',
    })
    expect(refused.status).toBe(409)
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain(
      '（本案已暂缓删除个人信息）。当前可以：“更正联系方式”、“解除暂缓删除”。',
    )

    // Lifted: the hold and its lifting are not work on the case, so the next sweep erases it.
    const lifted = await act(w.app, admin.headers, filed.id, {
      action: 'lift_erasure_hold',
      version: view.version,
      note: '复议决定已于 2029-06-01 送达，维持原处理。',
    })
    expect(lifted.status).toBe(200)
    expect(await row(filed.id)).toMatchObject({ erasureHeldAt: null, erasureHoldNote: null })
    expect(await erasePersonalDataPastRetention(w.t.deps)).toBe(1)
    expect(await row(filed.id)).toMatchObject({
      nameSealed: null,
      personalDataErasure: 'retention',
    })

    const entries = await db()
      .selectFrom('complaintEvents')
      .select(['kind', 'isPublic', 'actor'])
      .where('complaintId', '=', filed.id)
      .where('kind', 'in', ['erasure_held', 'erasure_hold_lifted'])
      .orderBy('id')
      .execute()
    expect(entries).toEqual([
      { kind: 'erasure_held', isPublic: false, actor: admin.operator.username },
      { kind: 'erasure_hold_lifted', isPublic: false, actor: admin.operator.username },
    ])
    const audit = (await auditOf(w.t, filed.id)).map((a) => a.action)
    expect(audit).toEqual(expect.arrayContaining(['case.hold_erasure', 'case.lift_erasure_hold']))
  })
})
