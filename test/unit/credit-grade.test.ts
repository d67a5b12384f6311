import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  addMonths,
  computeCreditGrade,
  creditGradeRules,
  ruleVersion,
} from '../../api/domain/credit-grade.ts'
import {
  caseFindings,
  creditGrades,
  inspectionKinds,
  penaltyKinds,
  type CreditGrade,
  type CreditRecord,
  type RecordCorrection,
} from '../../api/domain/credit.ts'

type Inspection = CreditRecord['inspections'][number]
type Case = CreditRecord['cases'][number]
type Penalty = CreditRecord['penalties'][number]

const uscc = '91331102MA2HXXXX0A'
const empty: CreditRecord = {
  uscc,
  certification: null,
  commitment: null,
  inspections: [],
  cases: [],
  penalties: [],
}

function inspection(visitedOn: string, over: Partial<Inspection> = {}): Inspection {
  return {
    visitId: '1',
    campaignId: '1',
    campaignTitle: '加油机专项检查',
    kind: 'fuel_dispenser',
    visitedOn,
    result: 'fail',
    instrumentsChecked: 4,
    instrumentsFailed: 1,
    findings: '',
    rectificationDue: null,
    followUp: null,
    correction: null,
    ...over,
  }
}

function closedCase(closedOn: string, over: Partial<Case> = {}): Case {
  return {
    caseId: '1',
    closedOn,
    category: 'short_weight',
    finding: 'substantiated',
    followUp: 'ordered',
    correction: null,
    ...over,
  }
}

function penalty(decidedOn: string, over: Partial<Penalty> = {}): Penalty {
  return {
    penaltyId: '1',
    decisionNo: '丽市监罚〔2026〕1号',
    decidedOn,
    kind: 'fine',
    violation: '使用不合格计量器具',
    penalty: '罚款 3000 元',
    legalBasis: '《计量法》第二十六条',
    publishedUntil: addMonths(decidedOn, 12),
    correction: null,
    ...over,
  }
}

const struck: RecordCorrection = {
  effect: 'struck',
  note: '记录有误，已删除',
  correctedOn: '2026-11-01',
}
const commitment = { textVersion: 'v1', signedOn: '2026-03-02', signerRole: '负责人' }
const rank = (g: CreditGrade) => creditGrades.indexOf(g)

// ---- arbitraries: records of any shape, days from 2023 to 2027 ----

const dayArb = fc
  .date({ min: new Date('2023-01-01T00:00:00Z'), max: new Date('2027-12-31T00:00:00Z') })
  .filter((d) => !Number.isNaN(d.getTime()))
  .map((d) => d.toISOString().slice(0, 10))
const correctionArb = fc.constantFrom<RecordCorrection | null>(null, null, null, struck, {
  effect: 'amended',
  note: '金额更正',
  correctedOn: '2026-11-01',
})
const inspectionArb = fc
  .record({
    visitedOn: dayArb,
    kind: fc.constantFrom(...inspectionKinds),
    result: fc.constantFrom('pass' as const, 'fail' as const),
    instrumentsFailed: fc.nat({ max: 3 }),
    followUp: fc.constantFrom(
      null,
      { on: '2026-11-01', result: 'rectified' as const },
      { on: '2026-11-01', result: 'not_rectified' as const },
    ),
    correction: correctionArb,
  })
  .map((v) => inspection(v.visitedOn, v))
const caseArb = fc
  .record({
    closedOn: dayArb,
    finding: fc.constantFrom(...caseFindings.slice(0, 2)),
    correction: correctionArb,
  })
  .map((c) => closedCase(c.closedOn, c))
const penaltyArb = fc
  .record({
    decidedOn: dayArb,
    kind: fc.constantFrom(...penaltyKinds),
    months: fc.constantFrom(3, 12, 36),
    correction: correctionArb,
  })
  .map((p) => penalty(p.decidedOn, { ...p, publishedUntil: addMonths(p.decidedOn, p.months) }))
const recordArb: fc.Arbitrary<CreditRecord> = fc.record({
  uscc: fc.constant(uscc),
  certification: fc.constantFrom(
    null,
    { status: 'active' as const },
    { status: 'suspended' as const },
    { status: 'revoked' as const },
    { status: 'expired' as const },
  ),
  commitment: fc.constantFrom(null, commitment),
  inspections: fc.array(inspectionArb, { maxLength: 4 }),
  cases: fc.array(caseArb, { maxLength: 4 }),
  penalties: fc.array(penaltyArb, { maxLength: 3 }),
})

/** The record as loadCreditRecord would give it on `today`: penalties past publication are gone. */
const published = (record: CreditRecord, today: string): CreditRecord => ({
  ...record,
  penalties: record.penalties.filter((p) => p.publishedUntil >= today),
})

/** An item adding to the record, placed on a day inside the window of `today`. */
const adverseArb = fc.oneof(
  fc.record({ kind: fc.constant('case' as const), item: caseArb }),
  fc.record({ kind: fc.constant('inspection' as const), item: inspectionArb }),
  fc.record({ kind: fc.constant('penalty' as const), item: penaltyArb }),
)
type AdverseItem = typeof adverseArb extends fc.Arbitrary<infer T> ? T : never

function withItem(record: CreditRecord, added: AdverseItem, on: string): CreditRecord {
  switch (added.kind) {
    case 'case':
      return { ...record, cases: [...record.cases, { ...added.item, closedOn: on }] }
    case 'inspection':
      return {
        ...record,
        inspections: [...record.inspections, { ...added.item, visitedOn: on, result: 'fail' }],
      }
    case 'penalty':
      return {
        ...record,
        penalties: [
          ...record.penalties,
          { ...added.item, decidedOn: on, publishedUntil: addMonths(on, 12) },
        ],
      }
  }
}

describe('credit grade rules: properties', () => {
  it('never improves a grade when a substantiated case, a failed inspection or a penalty is added', () => {
    fc.assert(
      fc.property(recordArb, adverseArb, dayArb, fc.nat({ max: 700 }), (r, added, today, ago) => {
        const on = new Date(Date.parse(`${today}T00:00:00Z`) - ago * 86_400_000)
          .toISOString()
          .slice(0, 10)
        const item = { ...added, item: { ...added.item, correction: null } } as AdverseItem
        const before = computeCreditGrade(published(r, today), today)
        const after = computeCreditGrade(published(withItem(r, item, on), today), today)
        expect(rank(after.grade)).toBeGreaterThanOrEqual(rank(before.grade))
        expect(after.points).toBeGreaterThanOrEqual(before.points)
      }),
      { numRuns: 2000 },
    )
  })

  it('never counts an item past its 24-month window: the result is as if it were not there', () => {
    fc.assert(
      fc.property(
        recordArb,
        adverseArb,
        dayArb,
        fc.nat({ max: 2000 }),
        (r, added, today, extra) => {
          // On the 24-month anniversary or any day after it.
          const anniversary = addMonths(today, -24)
          const on = new Date(Date.parse(`${anniversary}T00:00:00Z`) - extra * 86_400_000)
            .toISOString()
            .slice(0, 10)
          const item = { ...added, item: { ...added.item, correction: null } } as AdverseItem
          const record = published(r, today)
          const old = withItem(record, item, on)
          // A penalty still published (a long period) but decided over 24 months ago.
          if (item.kind === 'penalty') old.penalties.at(-1)!.publishedUntil = addMonths(today, 12)
          expect(computeCreditGrade(old, today)).toEqual(computeCreditGrade(record, today))
        },
      ),
      { numRuns: 2000 },
    )
  })

  it('never counts a struck item: the result is as if it were not there', () => {
    fc.assert(
      fc.property(recordArb, adverseArb, dayArb, fc.nat({ max: 700 }), (r, added, today, ago) => {
        const on = new Date(Date.parse(`${today}T00:00:00Z`) - ago * 86_400_000)
          .toISOString()
          .slice(0, 10)
        const item = { ...added, item: { ...added.item, correction: struck } } as AdverseItem
        const record = published(r, today)
        expect(computeCreditGrade(withItem(record, item, on), today)).toEqual(
          computeCreditGrade(record, today),
        )
      }),
      { numRuns: 2000 },
    )
  })

  it('gives every grade reasons and a next age-out day after today, with its sentence', () => {
    fc.assert(
      fc.property(recordArb, dayArb, (r, today) => {
        const result = computeCreditGrade(published(r, today), today)
        expect(result.reasons.length).toBeGreaterThan(0)
        expect(result.ruleVersion).toBe(ruleVersion)
        if (result.nextAgeOut !== null) {
          expect(result.nextAgeOut > today).toBe(true)
          expect(result.nextAgeOutNote).toMatch(/^\d{4} 年 \d{1,2} 月 \d{1,2} 日起，.+不再计入$/)
        } else {
          expect(result.nextAgeOutNote).toBeNull()
        }
      }),
      { numRuns: 1000 },
    )
  })
})

/**
 * One row per documented rule (docs/credit.md, ## 信用等级规则): the example printed there and
 * the grade, points and reasons it gives.
 */
const today = '2026-12-06'
const hintA = '评为 A 需具备以下三项中的两项：认定有效、已签署承诺、近 24 个月内检查合格'
const examples: Record<
  string,
  { record: CreditRecord; grade: CreditGrade; points: number; reasons: string[] }
> = {
  window: {
    record: { ...empty, penalties: [penalty('2024-12-06', { publishedUntil: '2027-12-06' })] },
    grade: 'B',
    points: 0,
    reasons: ['近 24 个月内无专项检查、投诉查实或行政处罚记录', hintA],
  },
  corrections: {
    record: { ...empty, cases: [closedCase('2026-10-09', { correction: struck })] },
    grade: 'B',
    points: 0,
    reasons: ['近 24 个月内无专项检查、投诉查实或行政处罚记录', hintA],
  },
  'case-substantiated': {
    record: { ...empty, cases: [closedCase('2026-10-09'), closedCase('2026-03-15')] },
    grade: 'C',
    points: 4,
    reasons: ['近 24 个月内 2 起投诉查实（计 4 分）'],
  },
  'case-partly': {
    record: { ...empty, cases: [closedCase('2026-10-09', { finding: 'partly_substantiated' })] },
    grade: 'B',
    points: 1,
    reasons: ['近 24 个月内 1 起投诉部分查实（计 1 分）'],
  },
  'inspection-failed': {
    record: { ...empty, inspections: [inspection('2026-10-12')] },
    grade: 'B',
    points: 2,
    reasons: ['2026 年 10 月加油机专项检查 1 台不合格（计 2 分）'],
  },
  'not-rectified': {
    record: {
      ...empty,
      inspections: [
        inspection('2026-10-12', { followUp: { on: '2026-11-02', result: 'not_rectified' } }),
      ],
    },
    grade: 'C',
    points: 4,
    reasons: ['2026 年 10 月加油机专项检查 1 台不合格，复查未整改（计 4 分）'],
  },
  'penalty-warning': {
    record: { ...empty, penalties: [penalty('2026-09-20', { kind: 'warning' })] },
    grade: 'B',
    points: 2,
    reasons: ['2026 年 9 月受到行政处罚（警告、通报批评，计 2 分）'],
  },
  'penalty-fine': {
    record: { ...empty, penalties: [penalty('2026-09-20')] },
    grade: 'C',
    points: 3,
    reasons: ['2026 年 9 月受到行政处罚（罚款，计 3 分）'],
  },
  'penalty-heavy': {
    record: {
      ...empty,
      certification: { status: 'active' },
      penalties: [penalty('2025-03-01', { kind: 'suspension', publishedUntil: '2028-03-01' })],
    },
    grade: 'D',
    points: 0,
    reasons: [
      '2025 年 3 月受到行政处罚（责令停产停业、暂扣许可证），直接评为 D',
      '诚信计量单位认定有效',
    ],
  },
  'certification-suspended': {
    record: { ...empty, certification: { status: 'suspended' }, commitment },
    grade: 'B',
    points: 1,
    reasons: ['诚信计量单位认定暂停中（计 1 分）', '已签署诚信计量承诺（2026 年 3 月）'],
  },
  'certification-revoked': {
    record: {
      ...empty,
      certification: { status: 'revoked' },
      cases: [closedCase('2026-10-09', { finding: 'partly_substantiated' })],
    },
    grade: 'C',
    points: 3,
    reasons: ['诚信计量单位认定已撤销（计 2 分）', '近 24 个月内 1 起投诉部分查实（计 1 分）'],
  },
  'grade-by-points': {
    record: {
      ...empty,
      cases: [closedCase('2026-10-09')],
      inspections: [inspection('2026-05-20', { kind: 'market_scale', instrumentsFailed: 2 })],
      penalties: [penalty('2026-06-01', { kind: 'warning' })],
    },
    grade: 'D',
    points: 6,
    reasons: [
      '近 24 个月内 1 起投诉查实（计 2 分）',
      '2026 年 6 月受到行政处罚（警告、通报批评，计 2 分）',
      '2026 年 5 月集贸市场（超市）衡器专项检查 2 台不合格（计 2 分）',
    ],
  },
  'grade-a': {
    record: { ...empty, certification: { status: 'active' }, commitment },
    grade: 'A',
    points: 0,
    reasons: [
      '近 24 个月内无专项检查、投诉查实或行政处罚记录',
      '诚信计量单位认定有效',
      '已签署诚信计量承诺（2026 年 3 月）',
    ],
  },
}

describe('credit grade rules: one example per documented rule', () => {
  it('has an example for every rule, and a rule for every example', () => {
    expect(Object.keys(examples).sort()).toEqual(creditGradeRules.map((r) => r.id).sort())
  })

  it.each(creditGradeRules.map((r) => [r.id, r] as const))('%s', (id, rule) => {
    const example = examples[id]!
    const result = computeCreditGrade(example.record, today)
    expect(result.grade, rule.rule).toBe(example.grade)
    expect(result.points).toBe(example.points)
    expect(result.reasons).toEqual(example.reasons)
  })

  it('prints every rule in docs/credit.md', () => {
    const docs = readFileSync(new URL('../../docs/credit.md', import.meta.url), 'utf8')
    // Prettier may pad a table's cells: compare with runs of spaces made one.
    const section = docs.slice(docs.indexOf('## 信用等级规则')).replace(/ +/g, ' ')
    for (const rule of creditGradeRules) {
      expect(section).toContain(`| ${rule.rule} | ${rule.effect} |`)
    }
    expect(section).toContain(`规则版本 \`${ruleVersion}\``)
  })
})

describe('credit repair (信用修复)', () => {
  it('says when the next item ages out, and stops counting it from that day', () => {
    const record: CreditRecord = {
      ...empty,
      penalties: [penalty('2025-03-01', { publishedUntil: '2028-03-01' })],
      cases: [closedCase('2026-02-10')],
    }
    const now = computeCreditGrade(record, '2027-02-28')
    expect(now).toMatchObject({
      grade: 'C',
      points: 5,
      nextAgeOut: '2027-03-01',
      nextAgeOutNote: '2027 年 3 月 1 日起，2025 年 3 月的行政处罚不再计入',
    })
    const after = computeCreditGrade(record, '2027-03-01')
    expect(after).toMatchObject({ grade: 'B', points: 2, nextAgeOut: '2028-02-10' })
  })

  it('ages a penalty out when its publication period ends, if that comes first', () => {
    const record: CreditRecord = {
      ...empty,
      penalties: [penalty('2026-09-20', { kind: 'warning', publishedUntil: '2026-12-20' })],
    }
    expect(computeCreditGrade(record, today)).toMatchObject({
      nextAgeOut: '2026-12-21',
      nextAgeOutNote: '2026 年 12 月 21 日起，2026 年 9 月的行政处罚不再计入',
    })
  })

  it('ends a window on the last day of a shorter month', () => {
    expect(addMonths('2024-02-29', 24)).toBe('2026-02-28')
    expect(addMonths('2025-03-01', 24)).toBe('2027-03-01')
    expect(addMonths('2026-12-06', -24)).toBe('2024-12-06')
  })
})
