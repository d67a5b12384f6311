import type { ComplaintCategory } from './complaints.ts'

// The vocabulary of the metrology credit record (市场主体计量信用记录, DESIGN.md section 7): plain
// values that the schema, the services, the pages and the grade rules all take from here.

/**
 * The outbox topic that recomputes one business's grade (aggregate key `credit:<uscc>`): every
 * change to a grade's inputs enqueues it in the same transaction.
 */
export const creditRecomputeTopic = 'credit.recompute'
export const creditKey = (uscc: string) => `credit:${uscc}`

/** 专栏11's yearly special inspections; more kinds are added here and in inspection_kinds. */
export const inspectionKinds = [
  'fuel_dispenser',
  'taxi_meter',
  'market_scale',
  'utility_meter',
  'optical',
  'legal_units',
] as const
export type InspectionKind = (typeof inspectionKinds)[number]

export const inspectionKindLabels: Record<InspectionKind, string> = {
  fuel_dispenser: '加油机',
  taxi_meter: '出租车计价器',
  market_scale: '集贸市场（超市）衡器',
  utility_meter: '民用“三表”',
  optical: '眼镜制配场所',
  legal_units: '法定计量单位使用',
}

/** A campaign: planned (created), drawn (the draw is fixed), closed (no more visits recorded). */
export const campaignStatuses = ['planned', 'drawn', 'closed'] as const
export type CampaignStatus = (typeof campaignStatuses)[number]

export const campaignStatusLabels: Record<CampaignStatus, string> = {
  planned: '待抽取',
  drawn: '已抽取',
  closed: '已结束',
}

/**
 * One visit of a drawn business: planned, recorded (result entered), rectifying (ordered to
 * rectify, follow-up due), closed (passed, or the follow-up recorded).
 */
export const visitStatuses = ['planned', 'recorded', 'rectifying', 'closed'] as const
export type VisitStatus = (typeof visitStatuses)[number]

export const visitStatusLabels: Record<VisitStatus, string> = {
  planned: '待检查',
  recorded: '已检查',
  rectifying: '整改中',
  closed: '已完成',
}

/** 合格 / 不合格: a visit fails when any instrument or finding fails. */
export const visitResults = ['pass', 'fail'] as const
export type VisitResult = (typeof visitResults)[number]

export const visitResultLabels: Record<VisitResult, string> = { pass: '合格', fail: '不合格' }

/** The follow-up visit after an order to rectify (责令整改). */
export const followUpResults = ['rectified', 'not_rectified'] as const
export type FollowUpResult = (typeof followUpResults)[number]

export const followUpResultLabels: Record<FollowUpResult, string> = {
  rectified: '已整改',
  not_rectified: '未整改',
}

/** A case's finding at closure (办结认定). */
export const caseFindings = [
  'substantiated',
  'partly_substantiated',
  'unfounded',
  'unverifiable',
] as const
export type CaseFinding = (typeof caseFindings)[number]

export const caseFindingLabels: Record<CaseFinding, string> = {
  substantiated: '查实',
  partly_substantiated: '部分查实',
  unfounded: '不属实',
  unverifiable: '无法查实',
}

/** Only these findings put a closed case on a business's public record. */
export const publicFindings: readonly CaseFinding[] = ['substantiated', 'partly_substantiated']

/** What followed a case: 调解成功, 责令改正, 立案查处 (with its penalty), 移送, or nothing. */
export const caseFollowUps = ['mediated', 'ordered', 'penalized', 'referred', 'none'] as const
export type CaseFollowUp = (typeof caseFollowUps)[number]

export const caseFollowUpLabels: Record<CaseFollowUp, string> = {
  mediated: '调解成功',
  ordered: '责令改正',
  penalized: '立案查处',
  referred: '移送',
  none: '无后续处理',
}

/**
 * 行政处罚 kinds, each with its own publication period (configuration, CREDIT_PENALTY_PUBLICATION).
 * 警告/通报批评 are the light ones; 责令停产停业 and 吊销 the heavy ones.
 */
export const penaltyKinds = ['warning', 'fine', 'confiscation', 'suspension', 'revocation'] as const
export type PenaltyKind = (typeof penaltyKinds)[number]

export const penaltyKindLabels: Record<PenaltyKind, string> = {
  warning: '警告、通报批评',
  fine: '罚款',
  confiscation: '没收违法所得、没收非法财物',
  suspension: '责令停产停业、暂扣许可证',
  revocation: '吊销许可证件',
}

/** Default publication period of a penalty, in months, by kind (each can be configured). */
export const defaultPenaltyPublicationMonths: Record<PenaltyKind, number> = {
  warning: 3,
  fine: 12,
  confiscation: 12,
  suspension: 36,
  revocation: 36,
}

/** 信用等级: A 信用风险低, B 一般, C 较高, D 高. */
export const creditGrades = ['A', 'B', 'C', 'D'] as const
export type CreditGrade = (typeof creditGrades)[number]

export const creditGradeLabels: Record<CreditGrade, string> = {
  A: '信用风险低',
  B: '信用风险一般',
  C: '信用风险较高',
  D: '信用风险高',
}

/** The grade of a business with no record yet, and the draw weight it is given (the middle). */
export const defaultCreditGrade: CreditGrade = 'B'

/** Default draw weights by grade (configuration CREDIT_DRAW_WEIGHTS; published with each draw). */
export const defaultDrawWeights: Record<CreditGrade, number> = { A: 1, B: 2, C: 4, D: 8 }

/** How far back the grade looks. */
export const creditWindowMonths = 24

/** The kinds of item a business may object to (异议) and a correction may concern. */
export const recordItemKinds = ['inspection', 'case', 'penalty', 'commitment'] as const
export type RecordItemKind = (typeof recordItemKinds)[number]

export const recordItemKindLabels: Record<RecordItemKind, string> = {
  inspection: '检查记录',
  case: '投诉举报查实记录',
  penalty: '行政处罚记录',
  commitment: '自我承诺',
}

export const objectionStatuses = ['pending', 'upheld', 'rejected'] as const
export type ObjectionStatus = (typeof objectionStatuses)[number]

export const objectionStatusLabels: Record<ObjectionStatus, string> = {
  pending: '待核实',
  upheld: '异议成立，已更正',
  rejected: '异议不成立',
}

/** A correction after an upheld objection: the item no longer counts, or was amended. */
export const correctionEffects = ['struck', 'amended'] as const
export type CorrectionEffect = (typeof correctionEffects)[number]

/** A correction shown beside the item it corrected. */
export interface RecordCorrection {
  effect: CorrectionEffect
  /** What was wrong and what was done, in plain Chinese (public). */
  note: string
  /** YYYY-MM-DD, Beijing time. */
  correctedOn: string
}

/**
 * A business's public credit record as the grade rules and the public pages read it (dates are
 * YYYY-MM-DD, Beijing time). It holds only what may be published: no resident's name, phone,
 * words or photos; no case that is not closed or not substantiated; no penalty taken down; items
 * struck by a correction are left out of the grade but listed with their correction.
 */
export interface CreditRecord {
  uscc: string
  /** On the certified list (and its status there), or a market entity not certified. */
  certification: { status: 'active' | 'suspended' | 'revoked' | 'expired' } | null
  commitment: {
    textVersion: string
    signedOn: string
    signerRole: string
  } | null
  inspections: Array<{
    visitId: string
    campaignId: string
    campaignTitle: string
    kind: InspectionKind
    visitedOn: string
    result: VisitResult
    /** Instruments checked and how many failed. */
    instrumentsChecked: number
    instrumentsFailed: number
    findings: string
    rectificationDue: string | null
    followUp: { on: string; result: FollowUpResult } | null
    correction: RecordCorrection | null
  }>
  cases: Array<{
    caseId: string
    closedOn: string
    category: ComplaintCategory
    finding: CaseFinding
    followUp: CaseFollowUp
    correction: RecordCorrection | null
  }>
  penalties: Array<{
    penaltyId: string
    decisionNo: string
    decidedOn: string
    kind: PenaltyKind
    violation: string
    penalty: string
    legalBasis: string
    /** The last day it is published. */
    publishedUntil: string
    correction: RecordCorrection | null
  }>
}
