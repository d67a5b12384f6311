import type { Generated, Insertable, Selectable, Updateable } from 'kysely'
import type { DateColumn, DefaultTimestamp } from './columns.ts'

import type { CertificationEventKind, CertificationStatus } from '../../api/domain/certification.ts'

// The vocabulary is written once, in api/domain/ (DESIGN.md: everything may import it).
export {
  certificationEventKinds,
  certificationStatuses,
  type CertificationEventKind,
  type CertificationStatus,
} from '../../api/domain/certification.ts'

/** 区县 (GB/T 2260). */
export interface CountyTable {
  code: string
  name: string
  sortOrder: number
}

/** 行业 */
export interface SectorTable {
  code: string
  name: string
  sortOrder: number
}

/** A certified honest-metrology business (诚信计量示范/品牌单位). */
export interface EnterpriseTable {
  /** 统一社会信用代码 */
  uscc: string
  name: string
  countyCode: string
  sectorCode: string
  address: string
  /** 认定日期 */
  certifiedAt: DateColumn
  /** 有效期至 */
  validUntil: DateColumn
  status: CertificationStatus
  /** The day the current status began. */
  statusSince: DateColumn
  isDemo: Generated<boolean>
  /** Complaints received that name this business (shown to handlers, not yet to the public). */
  complaintCount: Generated<number>
  createdAt: DefaultTimestamp
  updatedAt: DefaultTimestamp
}

/** One entry of a business's certification history. */
export interface CertificationEventTable {
  id: Generated<string>
  uscc: string
  kind: CertificationEventKind
  occurredOn: DateColumn
  validUntil: DateColumn | null
  reason: string | null
  /** Where the change came from, e.g. `import:名单.xlsx` or `demo`. */
  source: string
  createdAt: DefaultTimestamp
}

export type Enterprise = Selectable<EnterpriseTable>
export type NewEnterprise = Insertable<EnterpriseTable>
export type EnterpriseUpdate = Updateable<EnterpriseTable>
