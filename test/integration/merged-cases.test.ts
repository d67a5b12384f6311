import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rateComplaint } from '../../api/services/complaints/rating.ts'
import { trackComplaint } from '../../api/services/complaints/track.ts'
import type { CaseDetail } from '../../api/services/admin/cases/schemas.ts'
import { signedInOperator, type TestOperator } from '../support/operators.ts'
import {
  act,
  auditOf,
  caseOf,
  casesWorld,
  countyA,
  countyB,
  drainOutbox,
  fileCase,
  queue,
  type CasesWorld,
} from './admin-cases-support.ts'

/**
 * "Others reported this too" and 合并办理 (issue 25, item 4; acceptance 4). While filing, the
 * form learns how many cases naming the business are being handled, and nothing more. On a case
 * page the console lists likely duplicates in the operator's scope; merging one keeps both
 * tracking numbers working, shows the merged handling to both residents, tells both by SMS, is
 * audited, and holds county scoping (a handler cannot merge another county's case).
 */

let w: CasesWorld
let handler: TestOperator
let otherCounty: TestOperator
let viewer: TestOperator
let address = 0
const nextAddress = () => `203.0.113.${(address++ % 250) + 1}`

beforeAll(async () => {
  w = await casesWorld()
  handler = await signedInOperator(w.t.deps, 'county_handler', countyA)
  otherCounty = await signedInOperator(w.t.deps, 'county_handler', countyB)
  viewer = await signedInOperator(w.t.deps, 'viewer')
})
afterAll(async () => {
  await w.stop()
})

let businessNo = 0
/** A stall of its own for each test, spelt as residents spell it. */
function stall(county = countyA) {
  const n = ++businessNo
  return {
    county,
    merchantName: `万象菜场 ${n} 号摊位`,
    address: `莲都区万象菜场 ${n} 号`,
    spelt: { merchantName: `万象菜场${n}号摊`, address: `万象菜场${n}号` },
  }
}

const merge = (
  who: TestOperator,
  id: string,
  body: { duplicateId: string; version: number; note?: string },
) =>
  w.app.request(`/api/admin/cases/${id}/merge`, {
    method: 'POST',
    headers: { ...who.headers, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })

async function acted(id: string, body: Record<string, unknown>) {
  const res = await act(w.app, handler.headers, id, body)
  if (res.status !== 200)
    throw new Error(`${String(body.action)}: ${res.status} ${await res.text()}`)
  return (await res.json()) as CaseDetail
}

const openCases = async (query: Record<string, string>) => {
  const res = await w.app.request(`/api/complaints/open-cases?${new URLSearchParams(query)}`)
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

const track = (filed: { trackingNo: string; queryCode: string }) =>
  trackComplaint({
    ctx: w.t.deps,
    input: {
      trackingNo: filed.trackingNo,
      queryCode: filed.queryCode,
      clientAddress: nextAddress(),
    },
  })

describe('the count a filing resident sees', () => {
  it('counts the cases naming the business being handled, and says nothing else', async () => {
    const s = stall()
    await fileCase(w.app, w.t, {
      county: s.county,
      merchantName: s.merchantName,
      address: s.address,
    })
    await fileCase(w.app, w.t, {
      county: s.county,
      merchantName: s.merchantName,
      address: s.address,
    })
    // The same stall name in another county is another business.
    await fileCase(w.app, w.t, {
      county: countyB,
      merchantName: s.merchantName,
      address: s.address,
    })
    await drainOutbox(w.t)

    const answer = await openCases({ county: s.county, ...s.spelt })
    expect(answer.status).toBe(200)
    expect(answer.body).toEqual({
      identified: true,
      count: 2,
      message:
        '已有 2 件关于该单位的投诉举报正在办理。您仍然可以提交，您反映的情况会单独登记，并与这些投诉举报一并处理。',
    })
    // A name alone identifies no business.
    expect((await openCases({ merchantName: s.merchantName })).body).toEqual({
      identified: false,
      count: 0,
      message: null,
    })
    const bad = await openCases({ county: '110101', ...s.spelt })
    expect(bad.status).toBe(400)
    expect(JSON.stringify(bad.body)).toContain('请选择事发区县。')
  })
})

describe('likely duplicates and merging', () => {
  it('lists the same business in scope, merges it, and keeps both residents informed', async () => {
    const s = stall()
    const about = { county: s.county, merchantName: s.merchantName, address: s.address }
    const first = await fileCase(w.app, w.t, {
      ...about,
      kind: 'report',
      name: '周建国',
      phone: '13857800002',
    })
    const second = await fileCase(w.app, w.t, {
      ...about,
      kind: 'report',
      merchantName: s.spelt.merchantName,
      description: '在万象菜场买的带鱼回家复秤少了三两，秤有问题。',
      name: '林晓梅',
      phone: '13857800001',
    })
    // Another county's case about a stall of the same name, and an unrelated stall in the market.
    const elsewhere = await fileCase(w.app, w.t, { ...about, kind: 'report', county: countyB })
    const unrelated = await fileCase(w.app, w.t, {
      county: s.county,
      kind: 'report',
      merchantName: '王记水果店',
      address: s.address.replace(/\d+ 号$/, '99 号'),
      description: '水果店的电子秤显示不清。',
    })
    await drainOutbox(w.t)

    const seen = await caseOf(w.app, handler.headers, first.id)
    const listed = seen.duplicates.map((d) => d.trackingNo)
    expect(listed).toContain(second.trackingNo)
    expect(listed).not.toContain(elsewhere.trackingNo)
    expect(listed).not.toContain(unrelated.trackingNo)
    const dup = seen.duplicates.find((d) => d.trackingNo === second.trackingNo)!
    expect(dup.reasons).toContain('同一单位')
    expect(dup.mergeRefusal).toBeNull()

    // Scoping: another county's case answers as an unknown one; another county's handler cannot
    // reach this case; a viewer may not merge.
    const across = await merge(handler, first.id, {
      duplicateId: elsewhere.id,
      version: seen.version,
    })
    expect(across.status).toBe(404)
    const intruder = await merge(otherCounty, first.id, {
      duplicateId: second.id,
      version: seen.version,
    })
    expect(intruder.status).toBe(404)
    const looker = await merge(viewer, first.id, { duplicateId: second.id, version: seen.version })
    expect(looker.status).toBe(403)
    const stale = await merge(handler, first.id, {
      duplicateId: second.id,
      version: seen.version - 1 || 99,
    })
    expect(stale.status).toBe(409)
    expect((await caseOf(w.app, handler.headers, second.id)).status).toBe('received')

    const merged = await merge(handler, first.id, {
      duplicateId: second.id,
      version: seen.version,
      note: '同一摊位，合并核查。',
    })
    expect(merged.status).toBe(200)
    const after = (await merged.json()) as CaseDetail
    expect(after.mergedCases.map((m) => m.trackingNo)).toEqual([second.trackingNo])
    expect(after.duplicates.map((d) => d.trackingNo)).not.toContain(second.trackingNo)
    const secondCase = await caseOf(w.app, handler.headers, second.id)
    expect(secondCase.status).toBe('merged')
    expect(secondCase.mergedInto).toEqual({ id: first.id, trackingNo: first.trackingNo })
    expect(secondCase.allowedActions.map((a) => a.action)).not.toContain('accept')
    // It left the queue of open cases.
    const open = await queue(w.app, handler.headers, { status: 'received', pageSize: '100' })
    expect(open.body.items.map((i) => i.trackingNo)).not.toContain(second.trackingNo)

    // Audited on both cases.
    expect((await auditOf(w.t, first.id)).map((a) => a.action)).toContain('case.merge')
    const mergedAudit = (await auditOf(w.t, second.id)).find((a) => a.action === 'case.merged_into')
    expect(mergedAudit?.detail).toMatchObject({ into: first.id, trackingNo: first.trackingNo })

    // Both tracking numbers work, and both show the one handling.
    const merging = await track(second)
    expect(merging.status).toBe('received')
    expect(merging.timeline.map((e) => e.note).join()).toContain('合并办理')
    await drainOutbox(w.t)
    w.t.logLines.length = 0
    let version = after.version
    version = (await acted(first.id, { action: 'accept', version })).version
    version = (await acted(first.id, { action: 'start', version })).version
    const reply = '经核查，该摊位电子秤计量不准，已责令改正并复检合格。'
    await acted(first.id, {
      action: 'complete',
      version,
      finding: 'substantiated',
      followUp: 'ordered',
      handlingResult: '现场复核电子秤，责令改正。',
      publicReply: reply,
    })
    const [mine, theirs] = [await track(first), await track(second)]
    expect(mine.status).toBe('resolved')
    expect(theirs.status).toBe('resolved')
    expect(theirs.dueAt).toBe(mine.dueAt)
    expect(theirs.timeline.map((e) => e.note).join()).toContain(reply)
    expect(theirs.feedback.mayRate).toBe(true)

    // Each resident is told by SMS, under their own tracking number.
    await drainOutbox(w.t)
    const texts = await w.t.deps.db
      .selectFrom('smsMessages')
      .select(['complaintId', 'event', 'body'])
      .where('complaintId', 'in', [first.id, second.id])
      .orderBy('id')
      .execute()
    const eventsOf = (id: string) => texts.filter((m) => m.complaintId === id).map((m) => m.event)
    expect(eventsOf(first.id)).toEqual(['accepted', 'replied'])
    expect(eventsOf(second.id)).toEqual(['accepted', 'replied'])
    for (const m of texts.filter((x) => x.complaintId === second.id)) {
      expect(m.body).toContain(second.trackingNo)
      expect(m.body).not.toContain(first.trackingNo)
      expect(m.body).not.toContain(second.queryCode)
    }
    // Nothing of the resident in the logs.
    const logs = w.t.logLines.join('\n')
    expect(logs).not.toContain('林晓梅')
    expect(logs).not.toContain('13857800001')
    expect(logs).not.toContain('带鱼')

    // The merged resident contests the outcome: the case handled for both goes to review.
    const rated = await rateComplaint({
      ctx: w.t.deps,
      input: {
        trackingNo: second.trackingNo,
        queryCode: second.queryCode,
        clientAddress: nextAddress(),
        rating: 'unsatisfied',
        requestReview: true,
      },
    })
    expect(rated.status).toBe('review')
    expect((await caseOf(w.app, handler.headers, first.id)).status).toBe('review')
    expect((await track(first)).status).toBe('review')
  })

  it('refuses a merge across kinds and of a merged case, and two opposite merges race safely', async () => {
    const s = stall()
    const about = { county: s.county, merchantName: s.merchantName, address: s.address }
    const complaint = await fileCase(w.app, w.t, about)
    const report = await fileCase(w.app, w.t, { ...about, kind: 'report' })
    const other = await fileCase(w.app, w.t, about)
    await drainOutbox(w.t)
    const view = await caseOf(w.app, handler.headers, complaint.id)
    const listed = view.duplicates.find((d) => d.trackingNo === report.trackingNo)
    expect(listed?.mergeRefusal).toBe('投诉和举报的办理程序不同，举报不能并入投诉。')
    const across = await merge(handler, complaint.id, {
      duplicateId: report.id,
      version: view.version,
    })
    expect(across.status).toBe(409)
    expect(JSON.stringify(await across.json())).toContain('投诉和举报的办理程序不同')

    // Each merges the other at once: one wins, the other is refused, and nothing deadlocks.
    const otherView = await caseOf(w.app, handler.headers, other.id)
    const answers = await Promise.all([
      merge(handler, complaint.id, { duplicateId: other.id, version: view.version }),
      merge(handler, other.id, { duplicateId: complaint.id, version: otherView.version }),
    ])
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409])
    const statuses = [
      (await caseOf(w.app, handler.headers, complaint.id)).status,
      (await caseOf(w.app, handler.headers, other.id)).status,
    ].sort()
    expect(statuses).toEqual(['merged', 'received'])
  })
})
