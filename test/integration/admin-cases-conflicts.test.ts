import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signedInOperator, type TestOperator } from '../support/operators.ts'
import { act, casesWorld, countyA, fileCase, type CasesWorld } from './admin-cases-support.ts'

let w: CasesWorld
let handler: TestOperator
let colleague: TestOperator

beforeAll(async () => {
  // No outbox worker: the outbox rows a refused action must not write stay countable.
  w = await casesWorld()
  handler = await signedInOperator(w.t.deps, 'county_handler', countyA)
  colleague = await signedInOperator(w.t.deps, 'county_handler', countyA)
})
afterAll(() => w.stop())

const staleMessage = '该案件已被他人更新，请刷新后查看最新内容再操作。'

/** Everything an action writes: the row, its timeline, its audit entries and outbox messages. */
async function snapshot(id: string) {
  const db = w.t.deps.db
  const [row, events, audit, outbox] = await Promise.all([
    db.selectFrom('complaints').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
    db.selectFrom('complaintEvents').selectAll().where('complaintId', '=', id).execute(),
    db.selectFrom('auditLog').select(['id', 'action']).where('complaintId', '=', id).execute(),
    db.selectFrom('outbox').select('id').where('aggregateKey', '=', `complaint:${id}`).execute(),
  ])
  return { row, events, audit, outbox }
}

async function errorOf(res: Response) {
  return ((await res.json()) as { error: { code: string; message: string; details?: unknown } })
    .error
}

describe('two handlers acting on one case at once', () => {
  it('gives exactly one success and one 409, and keeps only the winner’s change', async () => {
    for (let round = 0; round < 5; round++) {
      const filed = await fileCase(w.app, w.t)
      const answers = await Promise.all([
        act(w.app, handler.headers, filed.id, { action: 'accept', version: 1 }),
        act(w.app, colleague.headers, filed.id, {
          action: 'reject',
          version: 1,
          reason: 'duplicate',
          note: '与另一件投诉重复。',
        }),
      ])
      const statuses = answers.map((r) => r.status)
      expect([...statuses].sort()).toEqual([200, 409])
      const loser = answers[statuses.indexOf(409)]!
      expect((await errorOf(loser)).message).toBe(staleMessage)
      const winner = statuses.indexOf(200) === 0 ? 'accepted' : 'rejected'
      const after = await snapshot(filed.id)
      expect(after.row.status).toBe(winner)
      expect(after.row.version).toBe(2)
      expect(after.events.map((e) => e.kind)).toEqual(['received', winner])
      expect(after.audit).toHaveLength(1)
      // The intake's message and the winner's.
      expect(after.outbox).toHaveLength(2)
    }
  })

  it('refuses an action quoting a version someone else has moved past', async () => {
    const filed = await fileCase(w.app, w.t)
    expect(
      (await act(w.app, handler.headers, filed.id, { action: 'accept', version: 1 })).status,
    ).toBe(200)
    const before = await snapshot(filed.id)
    const res = await act(w.app, colleague.headers, filed.id, {
      action: 'note',
      version: 1,
      note: '我以为还没受理。',
    })
    expect(res.status).toBe(409)
    expect((await errorOf(res)).message).toBe(staleMessage)
    expect(await snapshot(filed.id)).toEqual(before)
  })
})

describe('a transition the state machine does not allow', () => {
  it('is refused with the current status and the possible actions, and changes nothing', async () => {
    const filed = await fileCase(w.app, w.t)
    const before = await snapshot(filed.id)
    const attempts = [
      { action: 'start', version: 1 },
      { action: 'mediate', version: 1, mediationResult: 'agreed', note: '已调解。' },
      {
        action: 'complete',
        version: 1,
        finding: 'unfounded',
        followUp: 'none',
        handlingResult: '已处理。',
        publicReply: '已处理。',
      },
      { action: 'close', version: 1 },
    ]
    for (const attempt of attempts) {
      const res = await act(w.app, handler.headers, filed.id, attempt)
      expect(res.status, attempt.action).toBe(409)
      const error = await errorOf(res)
      expect(error.code).toBe('CONFLICT')
      expect(error.message).toContain('当前状态为“已接收”')
      expect(error.message).toContain(
        '当前可以：“受理”、“不予受理”、“指派”、“内部备注”、“更正联系方式”。',
      )
      expect(error.details).toEqual({ status: 'received' })
    }
    expect(await snapshot(filed.id)).toEqual(before)
  })

  it('refuses any further handling on an archived case', async () => {
    const filed = await fileCase(w.app, w.t)
    const steps = [
      { action: 'reject', version: 1, reason: 'other', note: '投诉人撤回。' },
      { action: 'close', version: 2 },
    ]
    for (const step of steps) {
      expect((await act(w.app, handler.headers, filed.id, step)).status).toBe(200)
    }
    const before = await snapshot(filed.id)
    const res = await act(w.app, handler.headers, filed.id, {
      action: 'note',
      version: 3,
      note: '补充说明。',
    })
    expect(res.status).toBe(409)
    // Only the resident's own details may still be corrected at their request.
    expect((await errorOf(res)).message).toContain('当前可以：“更正联系方式”。')
    expect(await snapshot(filed.id)).toEqual(before)
  })
})

describe('an action missing what it needs', () => {
  it('is refused (400) field by field in Chinese, and changes nothing', async () => {
    const filed = await fileCase(w.app, w.t)
    const before = await snapshot(filed.id)
    const res = await act(w.app, handler.headers, filed.id, { action: 'reject', version: 1 })
    expect(res.status).toBe(400)
    const error = await errorOf(res)
    expect(error.code).toBe('VALIDATION_FAILED')
    expect(error.details).toEqual(
      expect.arrayContaining([
        { field: 'reason', message: '请从列表中选择不予受理的理由' },
        { field: 'note', message: '请填写说明' },
      ]),
    )
    const unknown = await act(w.app, handler.headers, filed.id, { action: 'delete', version: 1 })
    expect(unknown.status).toBe(400)
    expect(await snapshot(filed.id)).toEqual(before)
  })

  it('is refused without the session’s CSRF token', async () => {
    const filed = await fileCase(w.app, w.t)
    const before = await snapshot(filed.id)
    const res = await act(w.app, { cookie: handler.headers.cookie }, filed.id, {
      action: 'accept',
      version: 1,
    })
    expect(res.status).toBe(403)
    expect(await snapshot(filed.id)).toEqual(before)
  })
})
