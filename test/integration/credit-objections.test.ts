import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { staleObjectionMessage } from '../../api/services/admin/records/objections.ts'
import type { ConsoleRecord, RecordsPage } from '../../api/services/admin/records/schemas.ts'
import { applyEnterpriseRecords } from '../../api/services/enterprises/apply.ts'
import { creditRecomputeTopic } from '../../api/domain/credit.ts'
import { beijingDate } from '../../api/domain/beijing-time.ts'
import { loadCreditRecord } from '../../db/queries/credit-record.ts'
import { generateDemoRecords } from '../../scripts/demo/generate.ts'
import { postReport } from '../support/complaints.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { signedInOperator, type TestOperator } from '../support/operators.ts'

/**
 * Commitments, objections and corrections (issue 22, points 2, 7 and 9; acceptance 6): an upheld
 * objection corrects the public record and asks for the grade again, with the correction shown
 * in the console; two handlers deciding one objection at once get one success and one 409.
 */

const countyA = '331102' // 莲都区
const countyB = '331121' // 青田县
let t: TestContext
let app: ReturnType<typeof createApp>
let handlerA: TestOperator
let handlerA2: TestOperator
let handlerB: TestOperator
let viewer: TestOperator
const [demo] = generateDemoRecords(1, 22)
const business = { ...demo!, countyCode: countyA }
const today = beijingDate()
const fx = { visitId: '', penaltyId: '', caseId: '' }

const post = (as: TestOperator, path: string, body: unknown) =>
  app.request(path, {
    method: 'POST',
    headers: { ...as.headers, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
const recordPath = `/api/admin/records/${business.uscc}`

async function consoleRecord(as: TestOperator = handlerA): Promise<ConsoleRecord> {
  const res = await app.request(recordPath, { headers: as.headers })
  expect(res.status).toBe(200)
  return (await res.json()) as ConsoleRecord
}

async function recomputeMessages() {
  return t.deps.db
    .selectFrom('outbox')
    .select(['aggregateKey', 'payload'])
    .where('topic', '=', creditRecomputeTopic)
    .where('aggregateKey', '=', `credit:${business.uscc}`)
    .execute()
}

async function auditActions() {
  const rows = await t.deps.db
    .selectFrom('auditLog')
    .select(['action'])
    .where('enterpriseUscc', '=', business.uscc)
    .orderBy('id')
    .execute()
  return rows.map((r) => r.action)
}

async function objection(itemKind: string, itemId: string) {
  const res = await post(handlerA, `${recordPath}/objections`, {
    itemKind,
    itemId,
    receivedOn: today,
    statement: '本单位认为该条记录有误，附检定证书复印件。联系人电话 13812345678。',
  })
  expect(res.status).toBe(200)
  const record = (await res.json()) as ConsoleRecord
  const found = record.objections.find((o) => o.itemKind === itemKind && o.itemId === itemId)
  expect(found?.status).toBe('pending')
  return found!
}

beforeAll(async () => {
  t = await createTestContext()
  app = createApp(t.deps)
  await applyEnterpriseRecords({
    ctx: t.deps,
    input: { records: [business], source: 'test', today: '2026-11-26' },
  })
  handlerA = await signedInOperator(t.deps, 'county_handler', countyA)
  handlerA2 = await signedInOperator(t.deps, 'county_handler', countyA)
  handlerB = await signedInOperator(t.deps, 'county_handler', countyB)
  viewer = await signedInOperator(t.deps, 'viewer')
  const db = t.deps.db

  const campaign = await db
    .insertInto('inspectionCampaigns')
    .values({
      title: '2026 年集贸市场衡器专项检查',
      kind: 'market_scale',
      startsOn: '2026-10-01',
      endsOn: '2026-10-31',
      countyCodes: [countyA],
      sectorCodes: ['market'],
      drawSize: 1,
      status: 'drawn',
      drawnAt: new Date(),
      drawSeed: 'seed',
      drawMethod: 'test',
      drawWeights: JSON.stringify({ A: 1, B: 2, C: 4, D: 8 }),
      drawPool: JSON.stringify([{ uscc: business.uscc, grade: 'B' }]),
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  const visit = await db
    .insertInto('inspectionVisits')
    .values({
      campaignId: campaign.id,
      uscc: business.uscc,
      countyCode: countyA,
      drawRank: 1,
      status: 'recorded',
      visitedOn: '2026-10-12',
      result: 'fail',
      findings: '1 台电子秤超差',
      recordedAt: new Date(),
      publishedAt: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  fx.visitId = visit.id

  const penalty = await db
    .insertInto('penalties')
    .values({
      uscc: business.uscc,
      countyCode: countyA,
      decisionNo: '丽莲市监罚〔2026〕22号',
      decidedOn: '2026-11-02',
      kind: 'fine',
      violation: '使用不合格的计量器具',
      penalty: '罚款 5000 元',
      legalBasis: '《计量法实施细则》第四十三条',
      publishedAt: new Date(),
      publishUntil: '2099-11-01',
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  fx.penaltyId = penalty.id

  const filed = await postReport(app, '异议更正测试', 1)
  expect(filed.status).toBe(201)
  const { trackingNo } = (await filed.json()) as { trackingNo: string }
  const row = await db
    .updateTable('complaints')
    .set({
      merchantUscc: business.uscc,
      status: 'closed',
      closedAt: new Date('2026-11-30T02:00:00Z'),
      finding: 'substantiated',
      followUp: 'ordered',
    })
    .where('trackingNo', '=', trackingNo)
    .returning('id')
    .executeTakeFirstOrThrow()
  fx.caseId = row.id
})
afterAll(() => t.cleanup())

describe('self-commitments in the console', () => {
  it('records a commitment on the public record, audited, and asks for the grade', async () => {
    const before = (await recomputeMessages()).length
    const res = await post(handlerA, `${recordPath}/commitments`, {
      textVersion: 'v1',
      signedOn: '2026-11-20',
      signerRole: '法定代表人',
    })
    expect(res.status).toBe(200)
    const record = (await res.json()) as ConsoleRecord
    expect(record.commitments[0]).toMatchObject({ textVersion: 'v1', current: true })
    expect((await loadCreditRecord(t.deps.db, business.uscc, today)).commitment).toEqual({
      textVersion: 'v1',
      signedOn: '2026-11-20',
      signerRole: '法定代表人',
    })
    expect((await recomputeMessages()).length).toBe(before + 1)
    expect(await auditActions()).toContain('credit.commitment_recorded')
  })

  it('refuses an unknown version, a future date and a role that is not on the list', async () => {
    for (const [body, field] of [
      [{ textVersion: 'v9', signedOn: '2026-11-20', signerRole: '负责人' }, 'textVersion'],
      [{ textVersion: 'v1', signedOn: '2999-01-01', signerRole: '负责人' }, 'signedOn'],
      [{ textVersion: 'v1', signedOn: '2026-11-20', signerRole: '张三' }, 'signerRole'],
    ] as const) {
      const res = await post(handlerA, `${recordPath}/commitments`, body)
      expect(res.status).toBe(400)
      const { error } = (await res.json()) as {
        error: { message: string; details: Array<{ field: string }> }
      }
      expect(error.details.map((d) => d.field)).toContain(field)
      expect(error.message).toMatch(/[\u4e00-\u9fff]/)
    }
  })

  it('keeps a viewer from writing and another county from seeing', async () => {
    const body = { textVersion: 'v1', signedOn: '2026-11-20', signerRole: '负责人' }
    expect((await post(viewer, `${recordPath}/commitments`, body)).status).toBe(403)
    expect((await post(handlerB, `${recordPath}/commitments`, body)).status).toBe(404)
    expect((await app.request(recordPath, { headers: handlerB.headers })).status).toBe(404)
    expect((await app.request(recordPath, { headers: viewer.headers })).status).toBe(200)
    const found = async (as: TestOperator) => {
      const res = await app.request(`/api/admin/records?q=${business.uscc}`, {
        headers: as.headers,
      })
      expect(res.status).toBe(200)
      return ((await res.json()) as RecordsPage).matches.map((m) => m.uscc)
    }
    expect(await found(handlerA)).toEqual([business.uscc])
    expect(await found(handlerB)).toEqual([])
  })

  it('withdraws a commitment with its reason, once', async () => {
    const [current] = (await consoleRecord()).commitments
    const path = `${recordPath}/commitments/${current!.id}/withdraw`
    const res = await post(handlerA, path, { reason: '单位申请撤回，将重新签署。' })
    expect(res.status).toBe(200)
    const record = (await res.json()) as ConsoleRecord
    expect(record.commitments[0]).toMatchObject({
      current: false,
      withdrawalReason: '单位申请撤回，将重新签署。',
    })
    expect((await loadCreditRecord(t.deps.db, business.uscc, today)).commitment).toBeNull()
    const again = await post(handlerA, path, { reason: '再撤一次' })
    expect(again.status).toBe(409)
    // Without a commitment in force it is listed as yet to sign, in its own county only.
    const uncommitted = async (as: TestOperator) => {
      const res = await app.request('/api/admin/records', { headers: as.headers })
      return ((await res.json()) as RecordsPage).uncommitted.items.map((i) => i.uscc)
    }
    expect(await uncommitted(handlerA)).toContain(business.uscc)
    expect(await uncommitted(handlerB)).not.toContain(business.uscc)
    expect(await auditActions()).toContain('credit.commitment_withdrawn')
  })
})

describe('objections (acceptance 6)', () => {
  it('corrects an inspection upheld as wrong: the public record, the grade and the console', async () => {
    const before = await loadCreditRecord(t.deps.db, business.uscc, today)
    expect(before.inspections[0]).toMatchObject({ result: 'fail', correction: null })
    const o = await objection('inspection', fx.visitId)
    const messages = (await recomputeMessages()).length

    const res = await post(handlerA, `${recordPath}/objections/${o.id}/decision`, {
      version: o.version,
      outcome: 'upheld',
      outcomeNote: '复核检定证书，该秤检定有效、示值合格，原记录错录。',
      effect: 'amended',
      result: 'pass',
      publicNote: '原检查记录将另一台秤的结果错记在该单位名下',
    })
    expect(res.status).toBe(200)

    const after = await loadCreditRecord(t.deps.db, business.uscc, today)
    expect(after.inspections[0]!.result).toBe('pass')
    expect(after.inspections[0]!.correction).toMatchObject({ effect: 'amended' })
    expect(after.inspections[0]!.correction!.note).toMatch(
      /^经异议核实，检查结果由“不合格”更正为“合格”，已更正。原检查记录/,
    )
    // The grade follows through the outbox (its worker is the grade's part of the issue).
    const queued = await recomputeMessages()
    expect(queued.length).toBe(messages + 1)
    expect(queued.at(-1)!.payload).toMatchObject({ uscc: business.uscc, source: 'objection' })

    const shown = await consoleRecord()
    expect(shown.inspections[0]!.correction?.note).toBe(after.inspections[0]!.correction!.note)
    expect(shown.objections.find((x) => x.id === o.id)).toMatchObject({
      status: 'upheld',
      version: o.version + 1,
    })
    expect(await auditActions()).toContain('credit.objection_upheld')
    // A number in the business's statement is masked for a viewer, shown to the handler.
    const statementOf = async (as: TestOperator) =>
      (await consoleRecord(as)).objections.find((x) => x.id === o.id)!.statement
    expect(await statementOf(handlerA)).toContain('13812345678')
    expect(await statementOf(viewer)).not.toContain('13812345678')
    expect(await statementOf(viewer)).toContain('138****5678')
  })

  it('strikes a penalty: listed with its correction, no longer counting', async () => {
    const o = await objection('penalty', fx.penaltyId)
    const res = await post(handlerA, `${recordPath}/objections/${o.id}/decision`, {
      version: o.version,
      outcome: 'upheld',
      outcomeNote: '处罚决定已被行政复议撤销。',
      effect: 'struck',
      publicNote: '该处罚决定已被依法撤销',
    })
    expect(res.status).toBe(200)
    const record = await loadCreditRecord(t.deps.db, business.uscc, today)
    const penalty = record.penalties.find((p) => p.penaltyId === fx.penaltyId)
    expect(penalty?.correction).toMatchObject({ effect: 'struck' })
    expect(penalty?.correction?.note).toContain('经异议核实')
    // One correction per item: a second objection upheld on it is refused.
    const second = await objection('penalty', fx.penaltyId)
    const refused = await post(handlerA, `${recordPath}/objections/${second.id}/decision`, {
      version: second.version,
      outcome: 'upheld',
      outcomeNote: '重复',
      effect: 'struck',
      publicNote: '重复',
    })
    expect(refused.status).toBe(409)
    expect((await consoleRecord()).objections.find((x) => x.id === second.id)?.status).toBe(
      'pending',
    )
  })

  it('amends a case found not to be true: it leaves the public record', async () => {
    const before = await loadCreditRecord(t.deps.db, business.uscc, today)
    expect(before.cases.map((c) => c.caseId)).toContain(fx.caseId)
    const o = await objection('case', fx.caseId)
    const res = await post(handlerA, `${recordPath}/objections/${o.id}/decision`, {
      version: o.version,
      outcome: 'upheld',
      outcomeNote: '复查录像，短秤系另一摊位。',
      effect: 'amended',
      finding: 'unfounded',
      publicNote: '经复查，被投诉的并非该单位',
    })
    expect(res.status).toBe(200)
    const after = await loadCreditRecord(t.deps.db, business.uscc, today)
    expect(after.cases.map((c) => c.caseId)).not.toContain(fx.caseId)
    const shown = (await consoleRecord()).cases.find((c) => c.id === fx.caseId)
    expect(shown).toMatchObject({ finding: 'unfounded', public: false })
    expect(shown?.correction?.note).toContain('由“查实”更正为“不属实”')
  })

  it('rejects an objection without touching the record', async () => {
    const o = await objection('inspection', fx.visitId)
    const messages = (await recomputeMessages()).length
    const res = await post(handlerA, `${recordPath}/objections/${o.id}/decision`, {
      version: o.version,
      outcome: 'rejected',
      outcomeNote: '经核实，原记录无误。',
    })
    expect(res.status).toBe(200)
    expect((await recomputeMessages()).length).toBe(messages)
    expect((await consoleRecord()).objections.find((x) => x.id === o.id)?.status).toBe('rejected')
  })

  it('refuses an objection to an item that is not this business’s', async () => {
    const res = await post(handlerA, `${recordPath}/objections`, {
      itemKind: 'penalty',
      itemId: '999999',
      receivedOn: today,
      statement: '不存在的记录',
    })
    expect(res.status).toBe(400)
  })

  it('two handlers deciding one objection at once: one wins, the other is told', async () => {
    const o = await objection('commitment', (await consoleRecord()).commitments[0]!.id)
    const decide = (as: TestOperator, outcome: 'upheld' | 'rejected') =>
      post(as, `${recordPath}/objections/${o.id}/decision`, {
        version: o.version,
        outcome,
        outcomeNote: `${outcome} 的核实情况`,
        ...(outcome === 'upheld' ? { effect: 'struck', publicNote: '承诺记录有误' } : {}),
      })
    const answers = await Promise.all([decide(handlerA, 'upheld'), decide(handlerA2, 'rejected')])
    const statuses = answers.map((r) => r.status).sort()
    expect(statuses).toEqual([200, 409])
    const loser = answers.find((r) => r.status === 409)!
    const { error } = (await loser.json()) as { error: { message: string } }
    expect(error.message).toBe(staleObjectionMessage)
    const decided = (await consoleRecord()).objections.find((x) => x.id === o.id)!
    const winner = answers[0].status === 200 ? 'upheld' : 'rejected'
    expect(decided.status).toBe(winner)
    const corrections = await t.deps.db
      .selectFrom('recordCorrections')
      .select('id')
      .where('objectionId', '=', o.id)
      .execute()
    expect(corrections).toHaveLength(winner === 'upheld' ? 1 : 0)
  })
})
