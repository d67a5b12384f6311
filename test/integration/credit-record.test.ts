import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { applyEnterpriseRecords } from '../../api/services/enterprises/apply.ts'
import {
  ensureMarketEntity,
  findBusiness,
  loadCreditRecord,
} from '../../db/queries/credit-record.ts'
import { generateDemoRecords } from '../../scripts/demo/generate.ts'
import { postReport } from '../support/complaints.ts'
import { createApp } from '../../api/http/app.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'

/**
 * The record as the grade and the public pages read it (db/queries/credit-record.ts): only what
 * may be published, each item with its correction.
 */
let t: TestContext
const [certified] = generateDemoRecords(1, 7)
const entity = {
  uscc: '91331102MA2HXXXX0A',
  name: '无名水果摊',
  countyCode: '331102',
  sectorCode: 'market',
}

beforeAll(async () => {
  t = await createTestContext()
  await applyEnterpriseRecords({
    ctx: t.deps,
    input: { records: [certified!], source: 'test', today: '2026-11-26' },
  })
})
afterAll(() => t.cleanup())

describe('the credit record', () => {
  it('names a market entity once, and a certified business from the list', async () => {
    await t.deps.db.transaction().execute(async (trx) => {
      await ensureMarketEntity(trx, entity)
      await ensureMarketEntity(trx, { ...entity, name: '别的名字' })
      await ensureMarketEntity(trx, { ...entity, uscc: certified!.uscc })
    })
    expect(await findBusiness(t.deps.db, entity.uscc)).toMatchObject({
      name: '无名水果摊',
      certificationStatus: null,
    })
    expect(await findBusiness(t.deps.db, certified!.uscc)).toMatchObject({
      certificationStatus: 'active',
    })
    const strays = await t.deps.db
      .selectFrom('marketEntities')
      .select('uscc')
      .where('uscc', '=', certified!.uscc)
      .execute()
    expect(strays).toEqual([])
  })

  it('holds published items only, never an open or unfounded case, with corrections', async () => {
    const db = t.deps.db
    const app = createApp(t.deps)
    const ids: string[] = []
    for (const n of [1, 2, 3]) {
      const res = await postReport(app, '信用记录只收查实案件的测试', n)
      expect(res.status).toBe(201)
      const { trackingNo } = (await res.json()) as { trackingNo: string }
      const row = await db
        .selectFrom('complaints')
        .select('id')
        .where('trackingNo', '=', trackingNo)
        .executeTakeFirstOrThrow()
      ids.push(row.id)
    }
    // 1: closed 查实; 2: closed 不属实; 3: still open though found true.
    await db
      .updateTable('complaints')
      .set({ merchantUscc: entity.uscc })
      .where('id', 'in', ids)
      .execute()
    await db
      .updateTable('complaints')
      .set({
        status: 'closed',
        closedAt: new Date('2026-11-30T02:00:00Z'),
        finding: 'substantiated',
        followUp: 'ordered',
      })
      .where('id', '=', ids[0]!)
      .execute()
    await db
      .updateTable('complaints')
      .set({ status: 'closed', closedAt: new Date('2026-11-30T02:00:00Z'), finding: 'unfounded' })
      .where('id', '=', ids[1]!)
      .execute()
    await db
      .updateTable('complaints')
      .set({ finding: 'substantiated' })
      .where('id', '=', ids[2]!)
      .execute()

    const campaign = await db
      .insertInto('inspectionCampaigns')
      .values({
        title: '2026 年加油机专项检查',
        kind: 'fuel_dispenser',
        startsOn: '2026-10-01',
        endsOn: '2026-10-31',
        countyCodes: ['331102'],
        sectorCodes: ['fuel_station'],
        drawSize: 1,
        status: 'drawn',
        drawnAt: new Date(),
        drawSeed: 'seed',
        drawMethod: 'test',
        drawWeights: JSON.stringify({ A: 1, B: 2, C: 4, D: 8 }),
        drawPool: JSON.stringify([{ uscc: entity.uscc, grade: 'B' }]),
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    const [published, unpublished] = await db
      .insertInto('inspectionVisits')
      .values([
        {
          campaignId: campaign.id,
          uscc: entity.uscc,
          countyCode: '331102',
          drawRank: 1,
          status: 'rectifying',
          visitedOn: '2026-10-12',
          result: 'fail',
          findings: '1 台加油机计量超差',
          rectificationDue: '2026-10-26',
          publishedAt: new Date(),
        },
        {
          campaignId: campaign.id,
          uscc: certified!.uscc,
          countyCode: '331102',
          drawRank: 2,
          status: 'recorded',
          visitedOn: '2026-10-13',
          result: 'pass',
        },
      ])
      .returning('id')
      .execute()
    await db
      .insertInto('inspectedInstruments')
      .values([
        {
          visitId: published!.id,
          position: 1,
          instrumentKind: '加油机',
          verificationValid: true,
          passed: false,
          measuredError: '-0.45%',
        },
        {
          visitId: published!.id,
          position: 2,
          instrumentKind: '加油机',
          verificationValid: true,
          passed: true,
        },
        {
          visitId: unpublished!.id,
          position: 1,
          instrumentKind: '加油机',
          verificationValid: true,
          passed: true,
        },
      ])
      .execute()
    const [shown, gone, expired] = await db
      .insertInto('penalties')
      .values([
        {
          uscc: entity.uscc,
          countyCode: '331102',
          decisionNo: '丽市监罚〔2026〕1号',
          decidedOn: '2026-11-01',
          kind: 'fine',
          violation: '使用不合格计量器具',
          penalty: '罚款 3000 元',
          legalBasis: '《计量法》第二十六条',
          publishedAt: new Date(),
          publishUntil: '2027-11-01',
        },
        {
          uscc: entity.uscc,
          countyCode: '331102',
          decisionNo: '丽市监罚〔2026〕2号',
          decidedOn: '2026-11-02',
          kind: 'fine',
          violation: 'x',
          penalty: 'y',
          legalBasis: 'z',
          publishedAt: new Date(),
          publishUntil: '2027-11-02',
          takenDownAt: new Date(),
        },
        {
          uscc: entity.uscc,
          countyCode: '331102',
          decisionNo: '丽市监罚〔2025〕3号',
          decidedOn: '2025-06-01',
          kind: 'warning',
          violation: 'x',
          penalty: '警告',
          legalBasis: 'z',
          publishedAt: new Date(),
          publishUntil: '2025-09-01',
        },
      ])
      .returning('id')
      .execute()
    await db
      .insertInto('recordCorrections')
      .values({
        itemKind: 'penalty',
        itemId: shown!.id,
        uscc: entity.uscc,
        effect: 'amended',
        note: '罚款金额更正为 2000 元',
      })
      .execute()
    await db
      .insertInto('commitments')
      .values([
        {
          uscc: entity.uscc,
          textVersion: 'v1',
          signedOn: '2026-01-05',
          signerRole: '负责人',
          source: 'test',
        },
        {
          uscc: entity.uscc,
          textVersion: 'v2',
          signedOn: '2026-09-01',
          signerRole: '法定代表人',
          source: 'test',
        },
      ])
      .execute()

    const record = await loadCreditRecord(db, entity.uscc, '2026-12-06')
    expect(record.certification).toBeNull()
    expect(record.commitment).toEqual({
      textVersion: 'v2',
      signedOn: '2026-09-01',
      signerRole: '法定代表人',
    })
    expect(record.cases).toEqual([
      {
        caseId: ids[0],
        closedOn: '2026-11-30',
        category: 'short_weight',
        finding: 'substantiated',
        followUp: 'ordered',
        correction: null,
      },
    ])
    expect(record.inspections).toHaveLength(1)
    expect(record.inspections[0]).toMatchObject({
      visitId: published!.id,
      kind: 'fuel_dispenser',
      result: 'fail',
      instrumentsChecked: 2,
      instrumentsFailed: 1,
      rectificationDue: '2026-10-26',
    })
    expect(record.penalties.map((p) => p.penaltyId)).toEqual([shown!.id])
    expect(record.penalties[0]!.correction).toMatchObject({
      effect: 'amended',
      note: '罚款金额更正为 2000 元',
    })
    expect([gone!.id, expired!.id]).not.toContain(record.penalties[0]!.penaltyId)
    // Nothing of the resident: the record's text holds no words of the complaint.
    expect(JSON.stringify(record)).not.toContain('信用记录只收查实案件的测试第')

    // The newest commitment struck by a correction: the one signed before it is in force.
    const newest = await db
      .selectFrom('commitments')
      .select('id')
      .where('uscc', '=', entity.uscc)
      .where('textVersion', '=', 'v2')
      .executeTakeFirstOrThrow()
    await db
      .insertInto('recordCorrections')
      .values({
        itemKind: 'commitment',
        itemId: newest.id,
        uscc: entity.uscc,
        effect: 'struck',
        note: '承诺书签署人不是本单位负责人',
      })
      .execute()
    expect((await loadCreditRecord(db, entity.uscc, '2026-12-06')).commitment).toEqual({
      textVersion: 'v1',
      signedOn: '2026-01-05',
      signerRole: '负责人',
    })

    const certifiedRecord = await loadCreditRecord(db, certified!.uscc, '2026-12-06')
    expect(certifiedRecord.certification).toEqual({ status: 'active' })
    expect(certifiedRecord.inspections).toEqual([])
    const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM outbox`.execute(db)
    expect(Number(rows[0]!.n)).toBeGreaterThan(0)
  })
})
