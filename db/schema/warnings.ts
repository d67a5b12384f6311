import type { Generated } from 'kysely'
import type { DefaultTimestamp, Numeric, Timestamp } from './columns.ts'

import type {
  WarningAction,
  WarningRule,
  WarningSeverity,
  WarningState,
  WarningSubjectKind,
} from '../../api/domain/warnings.ts'

/** A complaint filed under one subject it names: what windows and baselines count. */
export interface ComplaintSubjectTable {
  complaintId: string
  subjectKind: WarningSubjectKind
  subjectKey: string
  countyCode: string
  receivedAt: Timestamp
}

/** A cluster of complaints about one subject (migrations 2026-12-07T0900 and T1500). */
export interface WarningTable {
  id: Generated<string>
  subjectKind: WarningSubjectKind
  subjectKey: string
  /** What the console and messages call the subject; never a resident's detail. */
  subjectLabel: string
  /** The county whose handlers are told; null for a city-wide subject (an instrument kind). */
  countyCode: string | null
  severity: WarningSeverity
  rule: WarningRule
  windowHours: number
  /** Complaints in the window when it fired or last grew. */
  windowCount: number
  /** What the subject's own baseline expected in such a window. */
  expected: Numeric
  state: Generated<WarningState>
  firedAt: DefaultTimestamp
  /**
   * Its cases are the complaints filed under its subject received from here until it closed
   * (migration 2026-12-07T1500): the start of the window it fired on; -infinity for a 12345
   * ticket, whose every complaint is one.
   */
  casesFrom: Timestamp
  lastCaseAt: Timestamp
  acknowledgedAt: Timestamp | null
  acknowledgedBy: string | null
  closedAt: Timestamp | null
  closedBy: string | null
  action: WarningAction | null
  closingNote: string | null
  version: Generated<number>
  updatedAt: DefaultTimestamp
}

/** A fixed threshold the bureau set for a kind of subject, city-wide or for one county. */
export interface WarningThresholdTable {
  id: Generated<string>
  subjectKind: WarningSubjectKind
  countyCode: string | null
  windowHours: number
  minCount: number
  severity: WarningSeverity
  updatedBy: string | null
  updatedAt: DefaultTimestamp
}
