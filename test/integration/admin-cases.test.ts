import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CaseDetail } from '../../api/services/admin/cases/schemas.ts'
import type { ComplaintDocument } from '../../api/search/complaint-indexer.ts'
import { addWorkingDays } from '../../api/domain/working-days.ts'
import { beijingDate } from '../../api/domain/beijing-time.ts'
import { signedInOperator, type TestOperator } from '../support/operators.ts'
import {
  act,
  auditOf,
  caseOf,
  casesWorld,
  countyA,
  fileCase,
  waitFor,
  type CasesWorld,
} from './admin-cases-support.ts'

let w: CasesWorld
let handler: TestOperator

beforeAll(async () => {
  w = await casesWorld({ worker: true })
  handler = await signedInOperator(w.t.deps, 'county_handler', countyA)
})
afterAll(() => w.stop())

/** The end (23:59:59.999 Shanghai) of the n-th working day after the Shanghai date of `from`. */
const workingDaysAfter = (from: string, n: number) =>
  new Date(
    `${addWorkingDays(w.t.deps.calendar, beijingDate(new Date(from)), n)}T23:59:59.999+08:00`,
  ).toISOString()

async function actOk(id: string, body: Record<string, unknown>): Promise<CaseDetail> {
  const res = await act(w.app, handler.headers, id, body)
  expect(res.status, await res.clone().text()).toBe(200)
  return (await res.json()) as CaseDetail
}

async function track(trackingNo: string, queryCode: string) {
  const res = await w.app.request(
    `/api/complaints/${trackingNo}`,
    { headers: { 'x-query-code': queryCode } },
    { clientAddress: '192.0.2.90' },
  )
  expect(res.status).toBe(200)
  return (await res.json()) as {
    status: string
    dueAt: string
    timeline: { kind: string; note: string; at: string }[]
  }
}

const indexed = (id: string) =>
  w.t.deps.search.meili
    .index<ComplaintDocument>(w.t.deps.search.indexName('complaints'))
    .getDocument(id)
    .catch(() => undefined)

describe('a 投诉 from receipt to archive', () => {
  const internalNote = '已电话联系商户负责人，对方同意明天到场。'
  const publicReply = '经调解，商户已退还差价 3.6 元并致歉，计量器具已送检。感谢您的监督。'

  it('moves received → accepted → in_progress → resolved → closed, with due dates and a public trail', async () => {
    const filed = await fileCase(w.app, w.t)
    const received = await caseOf(w.app, handler.headers, filed.id)
    expect(received.status).toBe('received')
    expect(received.dueAt).toBe(workingDaysAfter(received.receivedAt, 7))
    expect(received.version).toBe(1)
    expect(received.allowedActions.map((a) => a.action)).toEqual([
      'accept',
      'reject',
      'assign',
      'note',
      'correct_contact',
    ])

    const accepted = await actOk(filed.id, { action: 'accept', version: 1 })
    expect(accepted.status).toBe('accepted')
    expect(accepted.version).toBe(2)
    expect(accepted.acceptedAt).not.toBeNull()
    // Mediation ends 45 working days after acceptance (第二十一条), not after receipt.
    expect(accepted.dueAt).toBe(workingDaysAfter(accepted.acceptedAt!, 45))

    const noted = await actOk(filed.id, { action: 'note', version: 2, note: internalNote })
    expect(noted.status).toBe('accepted')
    expect(noted.dueAt).toBe(accepted.dueAt)

    const mediated = await actOk(filed.id, {
      action: 'mediate',
      version: 3,
      mediationResult: 'agreed',
      note: '双方同意退还差价。',
    })
    expect(mediated.status).toBe('in_progress')
    expect(mediated.mediationResult).toBe('agreed')
    expect(mediated.dueAt).toBe(accepted.dueAt)

    const resolved = await actOk(filed.id, {
      action: 'complete',
      version: 4,
      finding: 'substantiated',
      followUp: 'mediated',
      handlingResult: '调解成功，商户退还差价；秤已送检，检定不合格，另案处理。',
      publicReply,
    })
    expect(resolved.status).toBe('resolved')
    expect(resolved.publicReply).toBe(publicReply)
    expect(resolved.resolvedAt).not.toBeNull()
    expect(resolved.overdue).toBe(false)
    expect(resolved.workingDaysLeft).toBeNull()

    const closed = await actOk(filed.id, { action: 'close', version: 5 })
    expect(closed.status).toBe('closed')
    expect(closed.closedAt).not.toBeNull()
    expect(closed.version).toBe(6)
    // Archived: only a correction of the resident's details, at their request, is left.
    expect(closed.allowedActions.map((a) => a.action)).toEqual(['correct_contact'])

    // The handler sees every entry, each marked public or internal, with the handler as actor.
    expect(closed.timeline.map((e) => [e.kind, e.isPublic])).toEqual([
      ['received', true],
      ['accepted', true],
      ['note', false],
      ['mediated', false],
      ['in_progress', true],
      ['resolved', true],
      ['closed', true],
    ])
    expect(closed.timeline.slice(1).every((e) => e.actor === handler.operator.username)).toBe(true)

    // The citizen sees the public entries with their dates, the reply among them, and no note.
    const tracked = await track(filed.trackingNo, filed.queryCode)
    expect(tracked.status).toBe('closed')
    expect(tracked.timeline.map((e) => e.kind)).toEqual([
      'received',
      'accepted',
      'in_progress',
      'resolved',
      'closed',
    ])
    expect(tracked.timeline.find((e) => e.kind === 'resolved')?.note).toBe(publicReply)
    expect(tracked.timeline.every((e) => !Number.isNaN(Date.parse(e.at)))).toBe(true)
    const seen = JSON.stringify(tracked)
    expect(seen).not.toContain(internalNote)
    expect(seen).not.toContain('双方同意退还差价')
    expect(seen).not.toContain('另案处理')

    // Each action left an audit entry under the handler's name (beside each view of the case).
    const audit = (await auditOf(w.t, filed.id)).filter((a) => a.action !== 'case.viewed')
    expect(audit.map((a) => a.action)).toEqual([
      'case.accept',
      'case.note',
      'case.mediate',
      'case.complete',
      'case.close',
    ])
    expect(audit.every((a) => a.username === handler.operator.username)).toBe(true)
    expect(audit[0]!.detail).toMatchObject({ from: 'received', to: 'accepted', version: 2 })

    // The private index follows through the outbox.
    const doc = await waitFor(
      () => indexed(filed.id),
      (d) => d?.status === 'closed',
    )
    expect(doc?.dueAt).toBe(Math.floor(Date.parse(closed.dueAt) / 1000))
  })
})

describe('a 举报 from receipt to resolution', () => {
  it('keeps its 15 working days after receipt through acceptance and verification', async () => {
    const filed = await fileCase(w.app, w.t, { kind: 'report', category: 'rigged_instrument' })
    const received = await caseOf(w.app, handler.headers, filed.id)
    expect(received.dueAt).toBe(workingDaysAfter(received.receivedAt, 15))

    const accepted = await actOk(filed.id, { action: 'accept', version: 1 })
    expect(accepted.dueAt).toBe(received.dueAt)
    const started = await actOk(filed.id, { action: 'start', version: 2 })
    expect(started.status).toBe('in_progress')
    expect(started.dueAt).toBe(received.dueAt)
    const resolved = await actOk(filed.id, {
      action: 'complete',
      version: 3,
      finding: 'substantiated',
      followUp: 'penalized',
      handlingResult: '现场检查发现电子秤加装遥控装置，已立案调查。',
      publicReply: '您举报的线索经核查属实，我局已依法立案调查。感谢您的举报。',
    })
    expect(resolved.status).toBe('resolved')

    const tracked = await track(filed.trackingNo, filed.queryCode)
    expect(tracked.timeline.map((e) => e.kind)).toEqual([
      'received',
      'accepted',
      'in_progress',
      'resolved',
    ])
    expect(JSON.stringify(tracked)).not.toContain('遥控装置')
  })
})

describe('refusing a case', () => {
  it('records the reason code and the explanation, shows both to the citizen, then archives', async () => {
    const filed = await fileCase(w.app, w.t)
    const rejected = await actOk(filed.id, {
      action: 'reject',
      version: 1,
      reason: 'no_jurisdiction',
      note: '事发地在金华市，请向金华市市场监督管理局反映。',
    })
    expect(rejected.status).toBe('rejected')
    expect(rejected.rejectionReason).toBe('no_jurisdiction')
    expect(rejected.rejectionReasonName).toBe('不属于本部门管辖')
    const tracked = await track(filed.trackingNo, filed.queryCode)
    const entry = tracked.timeline.find((e) => e.kind === 'rejected')
    expect(entry?.note).toContain('不属于本部门管辖')
    expect(entry?.note).toContain('请向金华市市场监督管理局反映')

    const closed = await actOk(filed.id, { action: 'close', version: 2 })
    expect(closed.status).toBe('closed')
  })
})

describe('assigning a case to another county', () => {
  it('moves it there (internal entry only), and the old county loses it', async () => {
    const filed = await fileCase(w.app, w.t)
    const before = await track(filed.trackingNo, filed.queryCode)
    const res = await act(w.app, handler.headers, filed.id, {
      action: 'assign',
      version: 1,
      county: '331181',
      note: '事发地在龙泉市。',
    })
    expect(res.status).toBe(200)
    const assigned = (await res.json()) as CaseDetail
    expect(assigned.countyCode).toBe('331181')
    expect(assigned.countyName).toBe('龙泉市')
    expect(assigned.allowedActions).toEqual([])
    expect(assigned.timeline.at(-1)).toMatchObject({ kind: 'assigned', isPublic: false })
    expect(assigned.timeline.at(-1)?.note).toContain('龙泉市')

    expect(
      (await act(w.app, handler.headers, filed.id, { action: 'accept', version: 2 })).status,
    ).toBe(404)
    const longquan = await signedInOperator(w.t.deps, 'county_handler', '331181')
    expect((await caseOf(w.app, longquan.headers, filed.id)).allowedActions[0]?.action).toBe(
      'accept',
    )
    expect((await track(filed.trackingNo, filed.queryCode)).timeline).toEqual(before.timeline)
    const audit = (await auditOf(w.t, filed.id)).filter((a) => a.action !== 'case.viewed')
    expect(audit.at(-1)).toMatchObject({
      action: 'case.assign',
      detail: { fromCounty: countyA, toCounty: '331181' },
    })
  })

  it('refuses its own county or one that does not exist', async () => {
    const filed = await fileCase(w.app, w.t)
    for (const county of [countyA, '331199']) {
      const res = await act(w.app, handler.headers, filed.id, {
        action: 'assign',
        version: 1,
        county,
      })
      expect(res.status).toBe(400)
    }
    expect((await caseOf(w.app, handler.headers, filed.id)).version).toBe(1)
  })
})
