import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decryptField, phoneHash } from '../../api/privacy/pii.ts'
import { erasedName, erasedPhone } from '../../api/domain/erasure.ts'
import { applyPendingInboxEvents } from '../../api/services/hotline/apply.ts'
import { openInboxEvent } from '../../api/services/hotline/inbox.ts'
import { dispatched, later, newTicketNo, postEvent } from '../support/hotline-inbound.ts'
import { signedInOperator, type TestOperator } from '../support/operators.ts'
import {
  act,
  auditOf,
  caseOf,
  casesWorld,
  countyA,
  fileCase,
  type CasesWorld,
} from './admin-cases-support.ts'

let w: CasesWorld
let handler: TestOperator
let viewer: TestOperator

beforeAll(async () => {
  w = await casesWorld()
  handler = await signedInOperator(w.t.deps, 'county_handler', countyA)
  viewer = await signedInOperator(w.t.deps, 'viewer')
})
afterAll(() => w.stop())

const row = (id: string) =>
  w.t.deps.db.selectFrom('complaints').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
const errorOf = async (res: Response) =>
  ((await res.json()) as { error: { message: string; details: unknown[] } }).error

describe('a resident’s name or phone corrected at their request', () => {
  it('is sealed again under the current key, with the phone’s hash, and shown masked', async () => {
    const filed = await fileCase(w.app, w.t, { phone: '13966601234' })
    const correction = {
      action: 'correct_contact',
      version: 1,
      phone: '139 6660 5678',
      note: '王小明来电，说原号码 13966601234 已停用，核对受理编号后申请更正。',
    }

    expect((await act(w.app, viewer.headers, filed.id, correction)).status).toBe(403)
    const neither = await act(w.app, handler.headers, filed.id, { ...correction, phone: '' })
    expect(neither.status).toBe(400)
    expect((await errorOf(neither)).message).toContain('请填写更正后的姓名或电话')
    const bad = await act(w.app, handler.headers, filed.id, { ...correction, phone: '12345' })
    expect(bad.status).toBe(400)
    expect((await errorOf(bad)).details).toContainEqual({
      field: 'phone',
      message: '请填写 11 位手机号，或带区号的固定电话（如 0578-2123456）。',
    })

    const res = await act(w.app, handler.headers, filed.id, correction)
    expect(res.status).toBe(200)
    const view = (await res.json()) as { contact: unknown; version: number }
    expect(view).toMatchObject({ version: 2, contact: { name: '王**', phone: '139****5678' } })

    const after = await row(filed.id)
    const { ring, hashKey } = w.t.deps.privacy
    expect(after.piiKeyId).toBe(ring.currentId)
    const open = (field: 'name' | 'phone') =>
      decryptField(
        ring,
        after.piiKeyId!,
        field === 'name' ? after.nameSealed! : after.phoneSealed!,
        `complaints:${after.trackingNo}:${field}`,
      )
    expect([open('name'), open('phone')]).toEqual(['王小明', '13966605678'])
    expect(after.phoneHash).toEqual(phoneHash(hashKey, '13966605678'))

    const reveal = await w.app.request(`/api/admin/cases/${filed.id}/reveal`, {
      method: 'POST',
      headers: handler.headers,
    })
    expect(await reveal.json()).toEqual({ name: '王小明', phone: '13966605678' })

    // The internal entry says what changed, never the old or the new details.
    const entry = await w.t.deps.db
      .selectFrom('complaintEvents')
      .select(['isPublic', 'note'])
      .where('complaintId', '=', filed.id)
      .where('kind', '=', 'contact_corrected')
      .executeTakeFirstOrThrow()
    expect(entry).toEqual({
      isPublic: false,
      note: `应投诉举报人本人申请，更正了电话。${erasedName}来电，说原号码 ${erasedPhone} 已停用，核对受理编号后申请更正。`,
    })
    const audit = await auditOf(w.t, filed.id)
    expect(audit).toContainEqual(
      expect.objectContaining({
        action: 'case.correct_contact',
        detail: expect.objectContaining({ corrected: ['phone'] }) as unknown,
      }),
    )
    expect(JSON.stringify(audit)).not.toMatch(/1396660\d{4}|王小明/)
  })

  it('adds a name and phone to an anonymous report', async () => {
    const report = await fileCase(w.app, w.t, { kind: 'report' })
    expect((await row(report.id)).nameSealed).toBeNull()
    const res = await act(w.app, handler.headers, report.id, {
      action: 'correct_contact',
      version: 1,
      name: '匿名改实名',
      phone: '0578-2123456',
      note: '举报人来电补充联系方式，以便告知核查结果。',
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ contact: { name: '匿****', phone: '0578-****456' } })
  })

  it('reaches the 12345 work order the case came from: the old details are kept nowhere', async () => {
    const secret = w.t.deps.config.HOTLINE_WEBHOOK_SECRET!
    const ticketNo = newTicketNo()
    const old = { contact_name: '赵大海', contact_phone: '13812340000' }
    const sent = [
      // With a field the contract does not name, repeating the caller.
      await postEvent(
        w.app,
        secret,
        dispatched(ticketNo, { ...old, caller: '赵大海 13812340000' }),
      ),
      // A later event whose ticket repeats the caller, as the hotline may send it.
      await postEvent(w.app, secret, {
        ...later('ticket.urged', ticketNo, '2026-11-26T10:00:00+08:00', { note: '市民来电催办。' }),
        ticket: { ticket_no: ticketNo, ...old },
      }),
    ]
    for (const { res } of sent) expect(res.status).toBe(202)
    await applyPendingInboxEvents(w.t.deps)
    const db = w.t.deps.db
    const { complaintId } = await db
      .selectFrom('hotlineTickets')
      .select('complaintId')
      .where('ticketNo', '=', ticketNo)
      .executeTakeFirstOrThrow()
    const { version } = await caseOf(w.app, handler.headers, complaintId)
    const res = await act(w.app, handler.headers, complaintId, {
      action: 'correct_contact',
      version,
      name: '赵海',
      phone: '0578-2123456',
      note: '诉求人来电，说登记的姓名和电话有误，核对工单编号后申请更正。',
    })
    expect(res.status).toBe(200)

    const stored = await db
      .selectFrom('hotlineInbox')
      .select(['webhookId', 'piiKeyId', 'bodySealed'])
      .where('ticketNo', '=', ticketNo)
      .orderBy('occurredAt')
      .execute()
    const events = stored.map((row) => openInboxEvent(w.t.deps.privacy.ring, row))
    expect(events.map((e) => e.type)).toEqual(['ticket.dispatched', 'ticket.urged'])
    expect(events[0]!.ticket).toMatchObject({ contact_name: '赵海', contact_phone: '05782123456' })
    expect(events[1]!.ticket).toEqual({ ticket_no: ticketNo })
    expect(JSON.stringify(events)).not.toMatch(/赵大海|13812340000/)
    // A retry of the first delivery is still answered as the first time, and changes nothing.
    const retried = await postEvent(w.app, secret, JSON.parse(sent[0]!.body), { id: sent[0]!.id })
    expect(retried.body).toBe(sent[0]!.body)
    expect(retried.res.status).toBe(202)
    expect(retried.res.headers.get('Idempotent-Replayed')).toBe('true')
  })

  it('asks for both when the stored ones were sealed under a key no longer configured', async () => {
    const filed = await fileCase(w.app, w.t)
    await w.t.deps.db
      .updateTable('complaints')
      .set({ piiKeyId: 'retired' })
      .where('id', '=', filed.id)
      .execute()
    const correction = {
      action: 'correct_contact',
      version: 1,
      phone: '13966609999',
      note: '本人来电更正。',
    }
    const half = await act(w.app, handler.headers, filed.id, correction)
    expect(half.status).toBe(400)
    const halfError = await errorOf(half)
    expect(halfError.message).toContain('请同时填写更正后的姓名和电话')
    // Shown beside both fields on the case page.
    expect(halfError.details.map((d) => (d as { field: string }).field)).toEqual(['name', 'phone'])
    const both = await act(w.app, handler.headers, filed.id, { ...correction, name: '王小明' })
    expect(both.status).toBe(200)
    expect((await row(filed.id)).piiKeyId).toBe(w.t.deps.privacy.ring.currentId)
  })
})
