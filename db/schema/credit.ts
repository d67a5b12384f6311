import type { ColumnType, Generated, Selectable } from 'kysely'
import type { DateColumn, DefaultTimestamp, Timestamp } from './columns.ts'

import type {
  CampaignStatus,
  CorrectionEffect,
  CreditGrade,
  FollowUpResult,
  ObjectionStatus,
  PenaltyKind,
  RecordItemKind,
  VisitResult,
  VisitStatus,
} from '../../api/domain/credit.ts'

/** A JSONB column: written as JSON text, read back parsed. */
type Json<T> = ColumnType<T, string, string>

/** A business named in the record but not on the certified list (市场主体). */
export interface MarketEntityTable {
  uscc: string
  name: string
  countyCode: string
  sectorCode: string
  address: Generated<string>
  isDemo: Generated<boolean>
  createdAt: DefaultTimestamp
  updatedAt: DefaultTimestamp
}

/** 经营者自我承诺 */
export interface CommitmentTable {
  id: Generated<string>
  uscc: string
  /** The published text's version (content/commitments/<version>.md). */
  textVersion: string
  signedOn: DateColumn
  /** 法定代表人, 负责人...: a role, never a person's name or ID number. */
  signerRole: string
  /** `import:<file>`, `console:<username>` or `demo`. */
  source: string
  withdrawnAt: Timestamp | null
  createdAt: DefaultTimestamp
  recordedBy: string | null
  withdrawnBy: string | null
  /** Why it was withdrawn (console), required with withdrawnAt. */
  withdrawalReason: string | null
}

export interface InspectionKindTable {
  code: string
  name: string
  sortOrder: number
}

/** A draw's pool entry, in the order the method read it. */
export interface DrawPoolEntry {
  uscc: string
  grade: CreditGrade
}

/** 专项检查 and its 双随机 draw. */
export interface InspectionCampaignTable {
  id: Generated<string>
  title: string
  kind: string
  startsOn: DateColumn
  endsOn: DateColumn
  countyCodes: ColumnType<string[], string[], string[]>
  sectorCodes: ColumnType<string[], string[], string[]>
  drawSize: number
  inspectorsPerVisit: Generated<number>
  /** A county handler's campaign is its county's; null for the city's. */
  ownerCountyCode: string | null
  status: Generated<CampaignStatus>
  drawnAt: Timestamp | null
  drawSeed: string | null
  /** The method's name and version, e.g. `weighted-es/sha256-xoshiro128ss/v1`. */
  drawMethod: string | null
  drawWeights: Json<Record<CreditGrade, number>> | null
  drawPool: Json<DrawPoolEntry[]> | null
  publishedAt: Timestamp | null
  createdBy: string | null
  version: Generated<number>
  createdAt: DefaultTimestamp
  updatedAt: DefaultTimestamp
}

/** 回避: the inspector is never drawn for this business. */
export interface InspectorRecusalTable {
  operatorId: string
  uscc: string
  reason: string
  createdAt: DefaultTimestamp
}

export interface InspectionVisitTable {
  id: Generated<string>
  campaignId: string
  uscc: string
  countyCode: string
  drawRank: number
  status: Generated<VisitStatus>
  visitedOn: DateColumn | null
  result: VisitResult | null
  findings: Generated<string>
  /** 责令整改 by this day. */
  rectificationDue: DateColumn | null
  followUpOn: DateColumn | null
  followUpResult: FollowUpResult | null
  followUpNote: Generated<string>
  recordedAt: Timestamp | null
  publishedAt: Timestamp | null
  version: Generated<number>
  createdAt: DefaultTimestamp
  updatedAt: DefaultTimestamp
}

export interface VisitInspectorTable {
  visitId: string
  operatorId: string
  /** Went on the visit (the record says who, from the assigned; migration 1130). */
  present: Generated<boolean>
}

export interface InspectedInstrumentTable {
  id: Generated<string>
  visitId: string
  position: number
  instrumentKind: string
  makerModel: Generated<string>
  serialNo: Generated<string>
  verificationValid: boolean
  passed: boolean
  measuredError: Generated<string>
}

export interface VisitPhotoTable {
  id: Generated<string>
  visitId: string
  position: number
  storageKey: string
  contentType: string
  sizeBytes: number
  sha256: string
  originalName: string
}

/** 行政处罚 */
export interface PenaltyTable {
  id: Generated<string>
  uscc: string
  countyCode: string
  /** 决定书文号 */
  decisionNo: string
  decidedOn: DateColumn
  kind: PenaltyKind
  violation: string
  penalty: string
  legalBasis: string
  complaintId: string | null
  publishedAt: Timestamp | null
  /** The last day it is public (its kind's publication period, configuration). */
  publishUntil: DateColumn
  takenDownAt: Timestamp | null
  createdBy: string | null
  version: Generated<number>
  createdAt: DefaultTimestamp
  updatedAt: DefaultTimestamp
}

/** 异议 */
export interface CreditObjectionTable {
  id: Generated<string>
  uscc: string
  itemKind: RecordItemKind
  itemId: string
  receivedOn: DateColumn
  statement: string
  status: Generated<ObjectionStatus>
  outcomeNote: string | null
  decidedAt: Timestamp | null
  decidedBy: string | null
  createdBy: string | null
  version: Generated<number>
  createdAt: DefaultTimestamp
}

export interface RecordCorrectionTable {
  id: Generated<string>
  itemKind: RecordItemKind
  itemId: string
  uscc: string
  objectionId: string | null
  effect: CorrectionEffect
  note: string
  correctedAt: DefaultTimestamp
}

export interface CreditGradeTable {
  uscc: string
  grade: CreditGrade
  /** The rule set's version (api/domain/credit-grade.ts), e.g. `2026.1`. */
  ruleVersion: string
  /** The grade's reasons in plain Chinese, most weighty first. */
  reasons: Json<string[]>
  nextAgeOut: DateColumn | null
  /** The page's sentence about next_age_out (migration 2026-12-06T1110). */
  nextAgeOutNote: string | null
  computedAt: DefaultTimestamp
}

export interface CreditGradeHistoryTable {
  id: Generated<string>
  uscc: string
  grade: CreditGrade
  ruleVersion: string
  reasons: Json<string[]>
  computedAt: DefaultTimestamp
}

export type InspectionCampaign = Selectable<InspectionCampaignTable>
