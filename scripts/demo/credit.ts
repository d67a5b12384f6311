import type { Deps } from '../../api/deps.ts'
import { defaultDrawWeights } from '../../api/domain/credit.ts'
import { drawMethod, runDraw } from '../../api/domain/draw.ts'
import { usccCheckCharacter } from '../../api/domain/uscc.ts'
import { enterpriseChangedTopic, enterpriseKey } from '../../api/search/enterprise-indexer.ts'
import { gradeBusinesses } from '../../api/services/credit/grade.ts'
import type { EnterpriseRecord } from '../../api/services/enterprises/apply.ts'
import { insertDemoCredit, type DemoCredit } from '../../db/queries/credit-demo.ts'
import { enqueue } from '../../db/queries/outbox.ts'

const withCheck = (first17: string) => first17 + usccCheckCharacter(first17)

function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}

const addMonths = (day: string, months: number) => {
  const d = new Date(`${day}T00:00:00Z`)
  d.setUTCMonth(d.getUTCMonth() + months)
  return d.toISOString().slice(0, 10)
}

/** The demo's uncertified businesses: a petrol station that failed, a stall that was fined. */
export const demoStation = {
  uscc: withCheck('91331102MA2D0EM01'),
  name: '丽水市莲都区城东加油站',
  countyCode: '331102',
  sectorCode: 'fuel_station',
  address: '丽水市莲都区城东路 218 号',
  isDemo: true,
}
const demoStall = {
  uscc: withCheck('92331102MA2D0EM02'),
  name: '莲都区老街水果摊',
  countyCode: '331102',
  sectorCode: 'market',
  address: '丽水市莲都区老街农贸市场 12 号摊位',
  isDemo: true,
}

/**
 * The demo credit record, so `npm start` shows the feature: two market entities, commitments of
 * a few certified businesses, one published 加油机 campaign whose visits found one failing
 * dispenser, a penalty, and grades. Dates are counted back from `today`, so the record stays
 * inside the grade's 24-month window whenever the demo is loaded.
 */
function demoCreditPlan(records: readonly EnterpriseRecord[], today: string): DemoCredit {
  const active = records.filter((r) => r.status === 'active')
  const stations = active.filter((r) => r.sectorCode === 'fuel_station').slice(0, 3)
  const committed = active.filter((r) => r.sectorCode !== 'fuel_station').slice(0, 5)
  const visitedOn = addDays(today, -40)
  const decidedOn = addDays(visitedOn, 20)
  const published = new Date()
  const pool = [...stations, demoStation].map((b) => ({
    uscc: b.uscc,
    grade: 'B' as const,
    countyCode: b.countyCode,
  }))
  const drawSeed = 'demo-fuel-dispenser'
  // The ranks are the published method's own over the published seed, pool and weights, so the
  // demo's "how to check" re-run gives the same list. The demo has no inspector accounts: two
  // placeholders per county stand in for the assignment, which is not stored.
  const drawn = runDraw({
    seed: drawSeed,
    pool,
    weights: defaultDrawWeights,
    drawSize: pool.length,
    inspectorsPerVisit: 2,
    inspectors: pool.flatMap((b) =>
      [1, 2].map((n) => ({ id: `${b.countyCode}-${n}`, countyCode: b.countyCode })),
    ),
    recusals: [],
  })
  if (!drawn.ok) throw new Error('the demo draw needs two inspectors per county')
  const rankOf = (uscc: string) => drawn.visits.find((v) => v.uscc === uscc)!.rank
  const passed = (uscc: string, rank: number, county: string) => ({
    uscc,
    countyCode: county,
    drawRank: rank,
    status: 'closed' as const,
    visitedOn: addDays(visitedOn, rank),
    result: 'pass' as const,
    findings: '抽查加油机计量准确，强制检定均在有效期内。',
    recordedAt: published,
    publishedAt: published,
    instruments: [1, 2].map((position) => ({
      position,
      instrumentKind: '加油机',
      makerModel: '正星 ZQ-2',
      serialNo: `DEMO-${rank}-${position}`,
      verificationValid: true,
      passed: true,
      measuredError: '+0.08%',
    })),
  })
  return {
    marketEntities: [demoStation, demoStall],
    commitments: committed.map((r) => ({
      uscc: r.uscc,
      textVersion: 'v1',
      signedOn: addDays(today, -90),
      signerRole: '法定代表人',
      source: 'demo',
    })),
    campaign: {
      title: `${visitedOn.slice(0, 4)} 年莲都区加油机专项检查`,
      kind: 'fuel_dispenser',
      startsOn: addDays(visitedOn, -5),
      endsOn: addDays(visitedOn, 25),
      countyCodes: ['331102'],
      sectorCodes: ['fuel_station'],
      drawSize: pool.length,
      ownerCountyCode: '331102',
      status: 'drawn',
      drawnAt: new Date(`${addDays(visitedOn, -5)}T02:00:00Z`),
      drawSeed,
      drawMethod,
      drawWeights: JSON.stringify(defaultDrawWeights),
      drawPool: JSON.stringify(drawn.pool.map(({ uscc, grade }) => ({ uscc, grade }))),
      publishedAt: published,
    },
    visits: [
      ...stations.map((s) => passed(s.uscc, rankOf(s.uscc), s.countyCode)),
      {
        uscc: demoStation.uscc,
        countyCode: demoStation.countyCode,
        drawRank: rankOf(demoStation.uscc),
        status: 'closed',
        visitedOn,
        result: 'fail',
        findings: '1 台加油机计量误差超出最大允许误差（实测 -0.52%，允许 ±0.30%），已责令停用。',
        rectificationDue: addDays(visitedOn, 15),
        followUpOn: addDays(visitedOn, 16),
        followUpResult: 'not_rectified',
        followUpNote: '复查时该加油机仍在使用，未完成整改。',
        recordedAt: published,
        publishedAt: published,
        instruments: [
          {
            position: 1,
            instrumentKind: '加油机',
            makerModel: '托肯 TK-3',
            serialNo: 'DEMO-FAIL-1',
            verificationValid: true,
            passed: false,
            measuredError: '-0.52%',
          },
          {
            position: 2,
            instrumentKind: '加油机',
            makerModel: '托肯 TK-3',
            serialNo: 'DEMO-FAIL-2',
            verificationValid: true,
            passed: true,
            measuredError: '-0.10%',
          },
        ],
      },
    ],
    penalties: [
      {
        uscc: demoStation.uscc,
        countyCode: demoStation.countyCode,
        decisionNo: `丽莲市监罚处〔${decidedOn.slice(0, 4)}〕101号`,
        decidedOn,
        kind: 'fine',
        violation: '使用计量误差超出规定的加油机',
        penalty: '罚款人民币 5,000 元，责令改正',
        legalBasis: '《中华人民共和国计量法实施细则》第四十三条',
        publishedAt: published,
        publishUntil: addMonths(decidedOn, 12),
      },
      {
        uscc: demoStall.uscc,
        countyCode: demoStall.countyCode,
        decisionNo: `丽莲市监罚处〔${decidedOn.slice(0, 4)}〕102号`,
        decidedOn: addDays(decidedOn, 3),
        kind: 'warning',
        violation: '使用未经检定的电子计价秤',
        penalty: '警告，责令改正',
        legalBasis: '《中华人民共和国计量法》第二十六条',
        publishedAt: published,
        publishUntil: addMonths(addDays(decidedOn, 3), 3),
      },
    ],
  }
}

/**
 * Loads the demo credit record beside the demo list, in one transaction, and asks the search
 * index to follow for every business it touches (grades, and the market entities themselves).
 */
export async function loadDemoCredit(
  deps: Pick<Deps, 'db'>,
  records: readonly EnterpriseRecord[],
  today: string,
) {
  const plan = demoCreditPlan(records, today)
  const touched = [
    ...new Set([
      ...plan.marketEntities.map((e) => e.uscc),
      ...plan.commitments.map((c) => c.uscc),
      ...plan.visits.map((v) => v.uscc),
      ...plan.penalties.map((p) => p.uscc),
    ]),
  ]
  await deps.db.transaction().execute(async (trx) => {
    await insertDemoCredit(trx, plan)
    await enqueue(
      trx,
      touched.map((uscc) => ({
        topic: enterpriseChangedTopic,
        aggregateKey: enterpriseKey(uscc),
        payload: { uscc, source: 'demo' },
      })),
    )
  })
  // Graded by the rules themselves, as any change would be.
  await gradeBusinesses(deps, { usccs: touched, today, source: 'demo' })
}
