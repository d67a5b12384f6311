import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { beijingDate } from '../../api/domain/beijing-time.ts'
import { creditKey, creditRecomputeTopic } from '../../api/domain/credit.ts'
import { addMonths } from '../../api/domain/penalty-publication.ts'
import { usccCheckCharacter } from '../../api/domain/uscc.ts'
import { addWorkingDays } from '../../api/domain/working-days.ts'
import type { PenaltyList, PenaltyView } from '../../api/services/admin/penalties/schemas.ts'
import { takeDownPenaltiesPastPeriod } from '../../api/services/admin/penalties/takedown.ts'
import { findBusiness, loadCreditRecord } from '../../db/queries/credit-record.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { signedInOperator, type TestOperator } from '../support/operators.ts'
import { fileCase } from './admin-cases-support.ts'

/**
 * 行政处罚 (issue 22, point 6; acceptance 5): entered in the console, public at once until its
 * kind's period ends, taken down by the hourly sweep, and still kept in the console.
 */
const countyA = '331102' // 莲都区
const countyB = '331121' // 青田县

let t: TestContext
let app: ReturnType<typeof createApp>
let handlerA: TestOperator
let handlerB: TestOperator
let viewer: TestOperator
let admin: TestOperator

beforeAll(async () => {
  // 罚款 public for 6 months here, to show the period is configuration.
  t = await createTestContext({ env: { CREDIT_PENALTY_PUBLICATION: 'fine:6' } })
  app = createApp(t.deps)
  handlerA = await signedInOperator(t.deps, 'county_handler', countyA)
  handlerB = await signedInOperator(t.deps, 'county_handler', countyB)
  viewer = await signedInOperator(t.deps, 'viewer')
  admin = await signedInOperator(t.deps, 'city_admin')
})
afterAll(() => t.cleanup())

const today = () => beijingDate()
const daysAgo = (n: number) => beijingDate(new Date(Date.now() - n * 86_400_000))

/** A valid credit code no list holds. */
function newCode() {
  const first17 = `923311020${Array.from(randomBytes(8), (b) => '0123456789ABCDEFGH'[b % 18]).join('')}`
  return `${first17}${usccCheckCharacter(first17)}`
}

const post = (path: string, as: TestOperator, body: unknown) =>
  app.request(path, {
    method: 'POST',
    headers: { ...as.headers, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })

function entry(overrides: Record<string, unknown> = {}) {
  return {
    uscc: newCode(),
    name: '城东菜场鲜肉摊',
    sector: 'market',
    decisionNo: `丽莲市监罚〔2026〕${randomBytes(3).readUIntBE(0, 3)}号`,
    decidedOn: daysAgo(3),
    kind: 'fine',
    violation: '使用不合格的电子计价秤，短斤缺两。',
    penalty: '没收不合格电子计价秤 1 台，罚款人民币 3,000 元。',
    legalBasis: '《中华人民共和国计量法实施细则》第四十三条',
    ...overrides,
  }
}

async function enterOk(as: TestOperator, body: Record<string, unknown>) {
  const res = await post('/api/admin/penalties', as, body)
  expect(res.status, await res.clone().text()).toBe(201)
  return (await res.json()) as PenaltyView
}

async function errorOf(res: Response) {
  return ((await res.json()) as { error: { code: string; message: string; details?: unknown } })
    .error
}

const recomputes = (uscc: string) =>
  t.deps.db
    .selectFrom('outbox')
    .select('payload')
    .where('topic', '=', creditRecomputeTopic)
    .where('aggregateKey', '=', creditKey(uscc))
    .execute()

describe('entering a penalty', () => {
  it('publishes it at once until its kind’s configured period ends, naming an unknown business', async () => {
    const body = entry()
    const view = await enterOk(handlerA, body)
    expect(view).toMatchObject({
      uscc: body.uscc,
      businessName: '城东菜场鲜肉摊',
      countyCode: countyA,
      decisionNo: body.decisionNo,
      kind: 'fine',
      kindName: '罚款',
      state: 'published',
      stateName: '公示中',
      publishUntil: addMonths(body.decidedOn, 6),
      takenDownAt: null,
      late: false,
      createdBy: handlerA.operator.username,
      version: 0,
    })
    expect(view.publishedAt).not.toBeNull()
    expect(await findBusiness(t.deps.db, body.uscc)).toMatchObject({
      name: '城东菜场鲜肉摊',
      countyCode: countyA,
      sectorCode: 'market',
      certificationStatus: null,
    })
    const record = await loadCreditRecord(t.deps.db, body.uscc, today())
    expect(record.penalties).toEqual([
      {
        penaltyId: view.id,
        decisionNo: body.decisionNo,
        decidedOn: body.decidedOn,
        kind: 'fine',
        violation: body.violation,
        penalty: body.penalty,
        legalBasis: body.legalBasis,
        publishedUntil: addMonths(body.decidedOn, 6),
        correction: null,
      },
    ])
    expect(await recomputes(body.uscc)).toEqual([
      { payload: { uscc: body.uscc, source: `penalty:${view.id}` } },
    ])
    const audit = await t.deps.db
      .selectFrom('auditLog')
      .select(['action', 'username', 'detail'])
      .where('enterpriseUscc', '=', body.uscc)
      .execute()
    expect(audit).toEqual([
      {
        action: 'penalty.created',
        username: handlerA.operator.username,
        detail: expect.objectContaining({
          penaltyId: view.id,
          decisionNo: body.decisionNo,
        }) as unknown,
      },
    ])
  })

  it('flags one entered more than 20 working days after the decision as late', async () => {
    const decidedOn = daysAgo(60)
    const view = await enterOk(handlerA, entry({ decidedOn }))
    expect(view.publicationDeadline).toBe(addWorkingDays(t.deps.calendar, decidedOn, 20))
    expect(view.late).toBe(true)
  })

  it('refuses a decision number entered before, an unknown code without a name, a bad code', async () => {
    const first = entry()
    await enterOk(handlerA, first)
    const again = await post(
      '/api/admin/penalties',
      handlerA,
      entry({ decisionNo: first.decisionNo }),
    )
    expect(again.status).toBe(400)
    expect((await errorOf(again)).details).toEqual([
      { field: 'decisionNo', message: expect.stringContaining('已经录入过') as unknown },
    ])

    const nameless = await post('/api/admin/penalties', handlerA, entry({ name: '', sector: '' }))
    expect(nameless.status).toBe(400)
    expect(((await errorOf(nameless)).details as { field: string }[]).map((d) => d.field)).toEqual([
      'name',
      'sector',
    ])

    const code = newCode()
    const wrong = `${code.slice(0, 17)}${code[17] === '0' ? '1' : '0'}`
    const bad = await post('/api/admin/penalties', handlerA, entry({ uscc: wrong }))
    expect(bad.status).toBe(400)
    expect((await errorOf(bad)).message).toContain('校验位错误')

    for (const decidedOn of ['2026-02-30', '2026-13-01', '1999-12-31', '2999-01-01']) {
      const res = await post('/api/admin/penalties', handlerA, entry({ decidedOn }))
      expect(res.status, decidedOn).toBe(400)
    }
  })

  it('links the case it came from by its tracking number, within the operator’s county only', async () => {
    const filed = await fileCase(app, t)
    const linked = await enterOk(handlerA, entry({ caseTrackingNo: filed.trackingNo }))
    expect(linked.caseTrackingNo).toBe(filed.trackingNo)
    const row = await t.deps.db
      .selectFrom('penalties')
      .select('complaintId')
      .where('id', '=', linked.id)
      .executeTakeFirstOrThrow()
    expect(row.complaintId).toBe(filed.id)
    // County B's handler may not name county A's case, and learns nothing of it.
    const elsewhere = await post(
      '/api/admin/penalties',
      handlerB,
      entry({ caseTrackingNo: filed.trackingNo }),
    )
    expect(elsewhere.status).toBe(400)

    const missing = await post(
      '/api/admin/penalties',
      handlerA,
      entry({ caseTrackingNo: 'JL20990101-000001' }),
    )
    expect(missing.status).toBe(400)
    expect((await errorOf(missing)).details).toEqual([
      { field: 'caseTrackingNo', message: expect.stringContaining('没有找到受理编号') as unknown },
    ])
  })
})

describe('county scoping', () => {
  it('keeps a county’s penalties to its handlers, city administrators and viewers', async () => {
    const view = await enterOk(handlerA, entry())
    const asB = await app.request(`/api/admin/penalties/${view.id}`, { headers: handlerB.headers })
    expect(asB.status).toBe(404)
    const listB = (await (
      await app.request('/api/admin/penalties?pageSize=100', { headers: handlerB.headers })
    ).json()) as PenaltyList
    expect(listB.items.map((i) => i.id)).not.toContain(view.id)
    const otherCounty = await post('/api/admin/penalties', handlerB, entry({ county: countyA }))
    expect(otherCounty.status).toBe(403)

    for (const as of [viewer, admin, handlerA]) {
      const res = await app.request(`/api/admin/penalties/${view.id}`, { headers: as.headers })
      expect(res.status).toBe(200)
    }
    const byViewer = await post('/api/admin/penalties', viewer, entry())
    expect(byViewer.status).toBe(403)
    // A city administrator enters any county's.
    const city = await enterOk(admin, entry({ county: countyB }))
    expect(city.countyCode).toBe(countyB)
  })
})

describe('editing a penalty', () => {
  const edit = (view: PenaltyView, overrides: Record<string, unknown> = {}) => ({
    version: view.version,
    reason: '决定书文号录入有误，按原件更正。',
    decisionNo: view.decisionNo,
    decidedOn: view.decidedOn,
    kind: view.kind,
    violation: view.violation,
    penalty: view.penalty,
    legalBasis: view.legalBasis,
    ...overrides,
  })

  it('changes it with a reason, reckons the period again, and audits which fields changed', async () => {
    const view = await enterOk(handlerA, entry())
    const res = await post(
      `/api/admin/penalties/${view.id}/edit`,
      handlerA,
      edit(view, { kind: 'warning' }),
    )
    expect(res.status, await res.clone().text()).toBe(200)
    const after = (await res.json()) as PenaltyView
    expect(after).toMatchObject({
      kind: 'warning',
      version: 1,
      publishUntil: addMonths(view.decidedOn, 3),
    })
    const audit = await t.deps.db
      .selectFrom('auditLog')
      .select(['detail'])
      .where('action', '=', 'penalty.edited')
      .where('enterpriseUscc', '=', view.uscc)
      .executeTakeFirstOrThrow()
    expect(audit.detail).toMatchObject({
      reason: '决定书文号录入有误，按原件更正。',
      fields: ['kind'],
    })
    expect(await recomputes(view.uscc)).toHaveLength(2)
  })

  it('lets one of two handlers editing at once win and tells the other in Chinese', async () => {
    const view = await enterOk(handlerA, entry())
    const [first, second] = await Promise.all([
      post(
        `/api/admin/penalties/${view.id}/edit`,
        handlerA,
        edit(view, { penalty: '罚款人民币 4,000 元。' }),
      ),
      post(
        `/api/admin/penalties/${view.id}/edit`,
        admin,
        edit(view, { penalty: '罚款人民币 5,000 元。' }),
      ),
    ])
    expect([first.status, second.status].sort()).toEqual([200, 409])
    const loser = first.status === 409 ? first : second
    const error = await errorOf(loser)
    expect(error.code).toBe('CONFLICT')
    expect(error.message).toBe(
      '这条行政处罚记录在您打开页面后已被他人修改，本次修改没有保存。请查看最新内容后重新修改。',
    )
    const now = (await (
      await app.request(`/api/admin/penalties/${view.id}`, { headers: admin.headers })
    ).json()) as PenaltyView
    expect(now.version).toBe(1)
    const winner = first.status === 200 ? '罚款人民币 4,000 元。' : '罚款人民币 5,000 元。'
    expect(now.penalty).toBe(winner)
  })
})

describe('the take-down sweep', () => {
  it('takes a penalty past its period off the record, keeps it in the console, and audits when', async () => {
    const view = await enterOk(handlerA, entry({ kind: 'warning' }))
    expect((await loadCreditRecord(t.deps.db, view.uscc, today())).penalties).toHaveLength(1)

    // Today the period has not ended: the sweep leaves it.
    await takeDownPenaltiesPastPeriod(t.deps)
    expect((await loadCreditRecord(t.deps.db, view.uscc, today())).penalties).toHaveLength(1)

    // The day after its last public day.
    const later = new Date(`${view.publishUntil}T12:00:00+08:00`)
    later.setTime(later.getTime() + 86_400_000)
    expect(await takeDownPenaltiesPastPeriod(t.deps, later)).toBeGreaterThanOrEqual(1)

    // Gone from the record, even as read today (taken down, not just past its date).
    expect((await loadCreditRecord(t.deps.db, view.uscc, today())).penalties).toEqual([])
    expect(await recomputes(view.uscc)).toEqual([
      { payload: { uscc: view.uscc, source: `penalty:${view.id}` } },
      { payload: { uscc: view.uscc, source: 'penalty:taken_down' } },
    ])

    const shown = (await (
      await app.request(`/api/admin/penalties/${view.id}`, { headers: handlerA.headers })
    ).json()) as PenaltyView
    expect(shown).toMatchObject({ state: 'taken_down', stateName: '已撤下公示' })
    expect(new Date(shown.takenDownAt!).getTime()).toBe(later.getTime())
    const listed = (await (
      await app.request('/api/admin/penalties?state=taken_down&pageSize=100', {
        headers: handlerA.headers,
      })
    ).json()) as PenaltyList
    expect(listed.items.map((i) => i.id)).toContain(view.id)

    const audit = await t.deps.db
      .selectFrom('auditLog')
      .select(['operatorId', 'username', 'detail', 'occurredAt'])
      .where('action', '=', 'penalty.taken_down')
      .where('enterpriseUscc', '=', view.uscc)
      .execute()
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({
      operatorId: null,
      username: 'system',
      detail: { penaltyId: view.id, decisionNo: view.decisionNo, publishUntil: view.publishUntil },
    })
    expect(audit[0]!.occurredAt).toBeInstanceOf(Date)

    // A second sweep finds nothing more to do for it.
    await takeDownPenaltiesPastPeriod(t.deps, later)
    expect(await recomputes(view.uscc)).toHaveLength(2)
  })
})
