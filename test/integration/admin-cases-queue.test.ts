import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  complaintChangedTopic,
  complaintKey,
  type ComplaintDocument,
} from '../../api/search/complaint-indexer.ts'
import { enqueue } from '../../db/queries/outbox.ts'
import { signedInOperator, type TestOperator } from '../support/operators.ts'
import {
  act,
  casesWorld,
  countyA,
  countyB,
  fileCase,
  queue,
  waitFor,
  type CasesWorld,
} from './admin-cases-support.ts'

let w: CasesWorld
let handler: TestOperator
let admin: TestOperator
/** County A: received 投诉, received 举报, overdue, due soon, accepted, closed; and one of B. */
const ids: Record<
  'complaint' | 'report' | 'overdue' | 'dueSoon' | 'accepted' | 'closed' | 'other',
  string
> = {
  complaint: '',
  report: '',
  overdue: '',
  dueSoon: '',
  accepted: '',
  closed: '',
  other: '',
}
const dayMs = 86_400_000

const index = () =>
  w.t.deps.search.meili.index<ComplaintDocument>(w.t.deps.search.indexName('complaints'))

/** Moves a case's due date as if time had passed, and tells the private index, as a change does. */
async function setDue(id: string, dueAt: Date) {
  await w.t.deps.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('complaints')
      .set({ receivedAt: new Date(dueAt.getTime() - 30 * dayMs), dueAt })
      .where('id', '=', id)
      .execute()
    await enqueue(trx, [
      { topic: complaintChangedTopic, aggregateKey: complaintKey(id), payload: { id } },
    ])
  })
  await waitFor(
    () =>
      index()
        .getDocument(id)
        .catch(() => undefined),
    (d) => d?.dueAt === Math.floor(dueAt.getTime() / 1000),
  )
}

async function run(id: string, ...steps: Record<string, unknown>[]) {
  for (const [i, step] of steps.entries()) {
    const res = await act(w.app, handler.headers, id, { ...step, version: i + 1 })
    if (res.status !== 200) throw new Error(`${String(step.action)}: ${await res.text()}`)
  }
}

beforeAll(async () => {
  w = await casesWorld({ worker: true })
  handler = await signedInOperator(w.t.deps, 'county_handler', countyA)
  admin = await signedInOperator(w.t.deps, 'city_admin')
  const file = async (overrides: Record<string, unknown> = {}) =>
    (await fileCase(w.app, w.t, { merchantName: '万象菜场水产摊', ...overrides })).id
  ids.complaint = await file({ category: 'optical', merchantName: '明视眼镜店' })
  ids.report = await file({ kind: 'report' })
  ids.overdue = await file()
  ids.dueSoon = await file()
  ids.accepted = await file()
  ids.closed = await file()
  ids.other = await file({ county: countyB, merchantName: '万象菜场水产摊（青田）' })
  await run(ids.accepted, { action: 'accept' })
  await run(
    ids.closed,
    { action: 'accept' },
    {
      action: 'complete',
      finding: 'substantiated',
      followUp: 'mediated',
      handlingResult: '已退款。',
      publicReply: '商户已退款。',
    },
    { action: 'close' },
  )
  await setDue(ids.overdue, new Date(Date.now() - dayMs))
  await setDue(ids.dueSoon, new Date(Date.now() + 3600_000))
  // A finished case past its old due date is not overdue.
  await setDue(ids.closed, new Date(Date.now() - 2 * dayMs))
  await waitFor(
    () =>
      index()
        .getDocument(ids.accepted)
        .catch(() => undefined),
    (d) => d?.status === 'accepted',
  )
  await waitFor(
    () => index().search('万象菜场'),
    (r) => r.hits.length === 6,
  )
})
afterAll(() => w.stop())

const idsOf = (items: { id: string }[]) => items.map((i) => i.id)

describe('the queue of a county handler', () => {
  it('lists its county’s cases by due date, with counts per status', async () => {
    const { status, body } = await queue(w.app, handler.headers)
    expect(status).toBe(200)
    expect(body.total).toBe(6)
    expect(idsOf(body.items)).not.toContain(ids.other)
    expect(idsOf(body.items).slice(0, 3)).toEqual([ids.closed, ids.overdue, ids.dueSoon])
    const due = body.items.map((i) => i.dueAt)
    expect(due).toEqual([...due].sort())
    expect(body.counts).toEqual({
      received: 4,
      accepted: 1,
      rejected: 0,
      in_progress: 0,
      resolved: 0,
      returned: 0,
      closed: 1,
      review: 0,
      merged: 0,
    })
  })

  it('shows the working days left: 7 for a new 投诉, 15 for a 举报, 45 once accepted', async () => {
    const { body } = await queue(w.app, handler.headers)
    const item = (id: string) => body.items.find((i) => i.id === id)!
    expect(item(ids.complaint).workingDaysLeft).toBe(7)
    expect(item(ids.report).workingDaysLeft).toBe(15)
    expect(item(ids.accepted).workingDaysLeft).toBe(45)
    expect(item(ids.closed)).toMatchObject({ workingDaysLeft: null, overdue: false })
    expect(item(ids.overdue)).toMatchObject({ overdue: true, statusName: '已接收' })
    expect(item(ids.overdue).workingDaysLeft).toBeLessThanOrEqual(0)
    expect(item(ids.complaint)).toMatchObject({
      categoryName: '眼镜制配',
      countyName: '莲都区',
      channel: 'web',
      priority: 0,
      priorityName: null,
    })
  })

  it('filters overdue cases, cases due within 2 working days, and both', async () => {
    expect(idsOf((await queue(w.app, handler.headers, { overdue: '1' })).body.items)).toEqual([
      ids.overdue,
    ])
    expect(idsOf((await queue(w.app, handler.headers, { dueSoon: '1' })).body.items)).toEqual([
      ids.dueSoon,
    ])
    const both = await queue(w.app, handler.headers, { overdue: '1', dueSoon: '1' })
    expect(idsOf(both.body.items)).toEqual([ids.overdue, ids.dueSoon])
  })

  it('filters by status, kind, category and channel', async () => {
    const only = async (query: Record<string, string>) =>
      idsOf((await queue(w.app, handler.headers, query)).body.items)
    expect(await only({ status: 'accepted' })).toEqual([ids.accepted])
    expect(await only({ kind: 'report' })).toEqual([ids.report])
    expect(await only({ category: 'optical' })).toEqual([ids.complaint])
    expect(await only({ channel: 'hotline12345' })).toEqual([])
    expect(await only({ channel: 'web', status: 'closed' })).toEqual([ids.closed])
    // An empty field of a GET form means "any".
    expect(await only({ status: '', kind: '', q: '' })).toHaveLength(6)
  })

  it('pages through the queue', async () => {
    const all = idsOf((await queue(w.app, handler.headers)).body.items)
    const second = await queue(w.app, handler.headers, { page: '2', pageSize: '2' })
    expect(second.body).toMatchObject({ total: 6, page: 2, pageSize: 2 })
    expect(idsOf(second.body.items)).toEqual(all.slice(2, 4))
  })

  it('searches the private index within its county, combined with filters', async () => {
    const found = await queue(w.app, handler.headers, { q: '万象菜场' })
    expect(found.body.total).toBe(5)
    expect(idsOf(found.body.items)).not.toContain(ids.other)
    const due = found.body.items.map((i) => i.dueAt)
    expect(due).toEqual([...due].sort())
    const accepted = await queue(w.app, handler.headers, { q: '万象菜场', status: 'accepted' })
    expect(idsOf(accepted.body.items)).toEqual([ids.accepted])
    const optician = await queue(w.app, handler.headers, { q: '明视眼镜' })
    expect(idsOf(optician.body.items)).toEqual([ids.complaint])
  })

  it('refuses a malformed filter in Chinese', async () => {
    const bad = await queue(w.app, handler.headers, { status: 'lost', pageSize: '500' })
    expect(bad.status).toBe(400)
    const error = (bad.body as unknown as { error: { code: string; message: string } }).error
    expect(error.code).toBe('VALIDATION_FAILED')
    expect(error.message).toMatch(/查询参数有误/)
  })
})

describe('the queue of the city administrator', () => {
  it('covers every county, or the one chosen, with that county’s counts', async () => {
    const all = await queue(w.app, admin.headers)
    expect(all.body.total).toBe(7)
    const onlyB = await queue(w.app, admin.headers, { county: countyB })
    expect(idsOf(onlyB.body.items)).toEqual([ids.other])
    expect(onlyB.body.counts.received).toBe(1)
    expect(onlyB.body.counts.closed).toBe(0)
    const searchedB = await queue(w.app, admin.headers, { county: countyB, q: '万象菜场' })
    expect(idsOf(searchedB.body.items)).toEqual([ids.other])
  })
})
