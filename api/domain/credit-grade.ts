import {
  creditWindowMonths,
  inspectionKindLabels,
  penaltyKindLabels,
  type CreditGrade,
  type CreditRecord,
  type PenaltyKind,
  type RecordCorrection,
} from './credit.ts'

// The credit grade (信用等级, issue 22 point 7): a few rules over the last 24 months of a
// business's public record, each explainable in one line. docs/credit.md (## 信用等级规则) prints
// `creditGradeRules` and one example per rule; test/unit/credit-grade.test.ts pins each example.
// Changing a rule means a new `ruleVersion`, so a stored grade says which rules made it.

/** The version of the rule set; stored with every grade and its history. */
export const ruleVersion = '2026.1'

/** Points (计分) an item counting in the window adds. */
const gradePoints = {
  substantiatedCase: 2,
  partlySubstantiatedCase: 1,
  failedInspection: 2,
  /** Added to the failed inspection's own points when the follow-up found it not rectified. */
  notRectified: 2,
  suspendedCertification: 1,
  revokedCertification: 2,
} as const

/** Points of a penalty by kind; null: the penalty alone makes the grade D. */
const penaltyPoints: Record<PenaltyKind, number | null> = {
  warning: 2,
  fine: 3,
  confiscation: 3,
  suspension: null,
  revocation: null,
}

/** The least points for grades C and D; fewer than C's is B (or A, see below). */
const gradeThresholds = { C: 3, D: 6 } as const

/** How many of the three trust signals (有效认定, 承诺, 检查合格) a grade A needs, with 0 points. */
const trustSignalsForA = 2

/** The rule set as the documentation prints it, one row per rule. */
export const creditGradeRules: ReadonlyArray<{ id: string; rule: string; effect: string }> = [
  {
    id: 'window',
    rule: '只计近 24 个月的记录：检查按检查日期、投诉举报按结案日期、行政处罚按决定日期；满 24 个月之日起不再计入（信用修复）。处罚公示期满或撤下后也不再计入',
    effect: '窗口外的记录不影响等级',
  },
  {
    id: 'corrections',
    rule: '经异议核实删除（撤销）的记录不计入；经更正的记录按更正后的内容计',
    effect: '删除的记录不影响等级',
  },
  { id: 'case-substantiated', rule: '投诉举报结案认定“查实”', effect: '每起计 2 分' },
  { id: 'case-partly', rule: '投诉举报结案认定“部分查实”', effect: '每起计 1 分' },
  { id: 'inspection-failed', rule: '专项检查结果“不合格”', effect: '每次计 2 分' },
  { id: 'not-rectified', rule: '责令整改后复查“未整改”', effect: '该次检查再计 2 分' },
  { id: 'penalty-warning', rule: '行政处罚：警告、通报批评', effect: '每次计 2 分' },
  {
    id: 'penalty-fine',
    rule: '行政处罚：罚款，或没收违法所得、没收非法财物',
    effect: '每次计 3 分',
  },
  {
    id: 'penalty-heavy',
    rule: '行政处罚：责令停产停业、暂扣许可证，或吊销许可证件',
    effect: '直接评为 D',
  },
  { id: 'certification-suspended', rule: '诚信计量单位认定暂停中', effect: '计 1 分' },
  { id: 'certification-revoked', rule: '诚信计量单位认定已撤销', effect: '计 2 分' },
  {
    id: 'grade-by-points',
    rule: '按合计分数评定',
    effect: '0–2 分为 B（0 分可评 A，见下条），3–5 分为 C，6 分及以上为 D',
  },
  {
    id: 'grade-a',
    rule: '0 分，且具备以下三项中的两项：诚信计量单位认定有效；已签署诚信计量承诺；近 24 个月内专项检查合格',
    effect: '评为 A',
  },
]

export interface CreditGradeResult {
  grade: CreditGrade
  ruleVersion: string
  points: number
  /** Plain Chinese, most weighty first. */
  reasons: string[]
  /** The first day an item that counts now no longer will (YYYY-MM-DD), or null. */
  nextAgeOut: string | null
  /** The page's sentence about that day, e.g. "2027 年 3 月 1 日起，2025 年 3 月的行政处罚不再计入". */
  nextAgeOutNote: string | null
}

/**
 * The day `date` + `months` (YYYY-MM-DD); when that month is shorter, its last day
 * (2024-02-29 + 24 months = 2026-02-28).
 */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  const total = y * 12 + (m - 1) + months
  const year = Math.floor(total / 12)
  const month = (total % 12) + 1
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate()
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(Math.min(d, lastDay)).padStart(2, '0')}`
}

const nextDay = (date: string) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)

/** The first day an item dated `date` no longer counts: its 24-month anniversary. */
const ageOutOf = (date: string) => addMonths(date, creditWindowMonths)

const monthText = (date: string) => `${date.slice(0, 4)} 年 ${Number(date.slice(5, 7))} 月`
const dayText = (date: string) => `${monthText(date)} ${Number(date.slice(8, 10))} 日`

/** A reason with its weight (for the order) and the day of the item it stands for. */
interface Reason {
  text: string
  weight: number
  date: string
}

/** An item that counts now, the first day it no longer will, and how the page names it then. */
interface Leaving {
  on: string
  what: string
}

const newestFirst = (a: Reason, b: Reason) =>
  b.weight - a.weight || (a.date < b.date ? 1 : a.date > b.date ? -1 : 0)

/**
 * The grade of `record` on `today` (YYYY-MM-DD, Beijing), with its reasons. Pure: the same
 * record and day always give the same result. Items struck by a correction, and items outside
 * the window, are read as if they were not there at all.
 */
export function computeCreditGrade(record: CreditRecord, today: string): CreditGradeResult {
  const counts = (date: string) => today < ageOutOf(date)
  const kept = (item: { correction: RecordCorrection | null }) =>
    item.correction?.effect !== 'struck'
  const cases = record.cases.filter((c) => kept(c) && counts(c.closedOn))
  const inspections = record.inspections.filter((v) => kept(v) && counts(v.visitedOn))
  const penalties = record.penalties.filter(
    (p) => kept(p) && counts(p.decidedOn) && p.publishedUntil >= today,
  )

  const negatives: Reason[] = []
  const leaving: Leaving[] = []
  let points = 0
  let heavy = false

  for (const [finding, each, label] of [
    ['substantiated', gradePoints.substantiatedCase, '投诉查实'],
    ['partly_substantiated', gradePoints.partlySubstantiatedCase, '投诉部分查实'],
  ] as const) {
    const found = cases.filter((c) => c.finding === finding)
    if (found.length === 0) continue
    points += found.length * each
    negatives.push({
      text: `近 24 个月内 ${found.length} 起${label}（计 ${found.length * each} 分）`,
      weight: found.length * each,
      date: found.map((c) => c.closedOn).sort()[found.length - 1]!,
    })
    for (const c of found) {
      leaving.push({ on: ageOutOf(c.closedOn), what: `${monthText(c.closedOn)}的${label}` })
    }
  }

  for (const v of inspections.filter((i) => i.result === 'fail')) {
    const notRectified = v.followUp?.result === 'not_rectified'
    const own = gradePoints.failedInspection + (notRectified ? gradePoints.notRectified : 0)
    points += own
    const failed = v.instrumentsFailed > 0 ? ` ${v.instrumentsFailed} 台` : ''
    negatives.push({
      text: `${monthText(v.visitedOn)}${inspectionKindLabels[v.kind]}专项检查${failed}不合格${notRectified ? '，复查未整改' : ''}（计 ${own} 分）`,
      weight: own,
      date: v.visitedOn,
    })
    leaving.push({ on: ageOutOf(v.visitedOn), what: `${monthText(v.visitedOn)}的检查不合格记录` })
  }

  for (const p of penalties) {
    const own = penaltyPoints[p.kind]
    if (own === null) heavy = true
    else points += own
    negatives.push({
      text:
        own === null
          ? `${monthText(p.decidedOn)}受到行政处罚（${penaltyKindLabels[p.kind]}），直接评为 D`
          : `${monthText(p.decidedOn)}受到行政处罚（${penaltyKindLabels[p.kind]}，计 ${own} 分）`,
      weight: own ?? Number.MAX_SAFE_INTEGER,
      date: p.decidedOn,
    })
    // It stops counting at the window's end, or earlier when its publication period ends.
    const ends = [ageOutOf(p.decidedOn), nextDay(p.publishedUntil)].sort()[0]!
    leaving.push({ on: ends, what: `${monthText(p.decidedOn)}的行政处罚` })
  }

  const status = record.certification?.status
  if (status === 'suspended' || status === 'revoked') {
    const own =
      status === 'suspended' ? gradePoints.suspendedCertification : gradePoints.revokedCertification
    points += own
    negatives.push({
      text: `诚信计量单位认定${status === 'suspended' ? '暂停中' : '已撤销'}（计 ${own} 分）`,
      weight: own,
      date: today,
    })
  }

  // Trust signals: only a record without points turns them into grade A.
  const positives: string[] = []
  if (status === 'active') positives.push('诚信计量单位认定有效')
  if (record.commitment) {
    positives.push(`已签署诚信计量承诺（${monthText(record.commitment.signedOn)}）`)
  }
  const passed = inspections
    .filter((v) => v.result === 'pass')
    .map((v) => v.visitedOn)
    .sort()
    .at(-1)
  if (passed) {
    const kinds = inspections.filter((v) => v.result === 'pass' && v.visitedOn === passed)
    positives.push(`${monthText(passed)}${inspectionKindLabels[kinds[0]!.kind]}专项检查合格`)
    leaving.push({ on: ageOutOf(passed), what: `${monthText(passed)}的专项检查合格记录` })
  }

  const grade: CreditGrade =
    heavy || points >= gradeThresholds.D
      ? 'D'
      : points >= gradeThresholds.C
        ? 'C'
        : points > 0 || positives.length < trustSignalsForA
          ? 'B'
          : 'A'

  const reasons = negatives.sort(newestFirst).map((n) => n.text)
  if (points === 0 && !heavy) {
    reasons.push(
      cases.length + inspections.length + penalties.length === 0
        ? '近 24 个月内无专项检查、投诉查实或行政处罚记录'
        : '近 24 个月内无计分记录',
    )
  }
  reasons.push(...positives)
  if (grade === 'B' && points === 0) {
    reasons.push('评为 A 需具备以下三项中的两项：认定有效、已签署承诺、近 24 个月内检查合格')
  }

  const nextAgeOut = leaving.map((l) => l.on).sort()[0] ?? null
  const what = [...new Set(leaving.filter((l) => l.on === nextAgeOut).map((l) => l.what))]
  return {
    grade,
    ruleVersion,
    points,
    reasons,
    nextAgeOut,
    nextAgeOutNote: nextAgeOut && `${dayText(nextAgeOut)}起，${what.join('、')}不再计入`,
  }
}
