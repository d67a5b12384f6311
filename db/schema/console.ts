import type { ColumnType, Generated, Selectable } from 'kysely'
import type { DefaultTimestamp, Timestamp } from './columns.ts'

import type { OperatorRole, SessionStage } from '../../api/domain/console.ts'

// The vocabulary is written once, in api/domain/ (DESIGN.md: everything may import it).
export {
  operatorRoles,
  sessionStages,
  type OperatorRole,
  type SessionStage,
} from '../../api/domain/console.ts'

/** A bureau staff member who signs in to the console. */
export interface OperatorTable {
  id: Generated<string>
  username: string
  role: OperatorRole
  /** The county whose cases the operator works; null for city level (every county). */
  countyCode: string | null
  /** Argon2id PHC string. */
  passwordHash: string
  mustChangePassword: Generated<boolean>
  totpKeyId: string | null
  totpSecretSealed: Buffer | null
  totpEnabledAt: Timestamp | null
  totpLastStep: ColumnType<string | null, string | number | null, string | number | null>
  failedSignIns: Generated<number>
  lockedUntil: Timestamp | null
  disabledAt: Timestamp | null
  createdAt: DefaultTimestamp
  updatedAt: DefaultTimestamp
}

export interface OperatorSessionTable {
  /** SHA-256 of the cookie's token. */
  tokenHash: Buffer
  operatorId: string
  stage: SessionStage
  createdAt: DefaultTimestamp
  lastSeenAt: DefaultTimestamp
  /** Absolute end of the session. */
  expiresAt: Timestamp
  clientAddress: Generated<string>
  userAgent: Generated<string>
}

/** Append-only: the database refuses UPDATE, DELETE and TRUNCATE. */
export interface AuditLogTable {
  id: Generated<string>
  occurredAt: DefaultTimestamp
  operatorId: string | null
  username: string
  action: string
  complaintId: string | null
  enterpriseUscc: string | null
  clientAddress: Generated<string>
  detail: ColumnType<Record<string, unknown>, string | undefined, never>
}

export type Operator = Selectable<OperatorTable>
