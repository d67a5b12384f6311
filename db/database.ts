import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely'

/** A DATE column: read back as 'YYYY-MM-DD' (see the type parser in client.ts). */
type DateColumn = ColumnType<string, string, string>
type Timestamp = ColumnType<Date, Date | string, Date | string>
/** A timestamp the database fills in when the insert leaves it out. */
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>

export const certificationStatuses = ['active', 'suspended', 'revoked', 'expired'] as const
/** 认定状态: 有效 / 暂停 / 撤销 / 过期 */
export type CertificationStatus = (typeof certificationStatuses)[number]

export const certificationEventKinds = [
  'certified',
  'renewed',
  'suspended',
  'reinstated',
  'revoked',
  'expired',
] as const
export type CertificationEventKind = (typeof certificationEventKinds)[number]

export const outboxStates = ['pending', 'done', 'dead'] as const
export type OutboxState = (typeof outboxStates)[number]

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

/** Transactional outbox: every write that must reach another system leaves a row here. */
export interface OutboxTable {
  id: Generated<string>
  topic: string
  /** Rows with one key are handed out in id order, one at a time. */
  aggregateKey: string
  payload: ColumnType<unknown, string, string>
  state: Generated<OutboxState>
  attempts: Generated<number>
  maxAttempts: Generated<number>
  availableAt: DefaultTimestamp
  lastError: string | null
  createdAt: DefaultTimestamp
  processedAt: Timestamp | null
}

export interface Database {
  counties: CountyTable
  sectors: SectorTable
  enterprises: EnterpriseTable
  certificationEvents: CertificationEventTable
  outbox: OutboxTable
}

export type Enterprise = Selectable<EnterpriseTable>
export type NewEnterprise = Insertable<EnterpriseTable>
export type EnterpriseUpdate = Updateable<EnterpriseTable>
export type CertificationEvent = Selectable<CertificationEventTable>
export type OutboxRow = Selectable<OutboxTable>
export type County = Selectable<CountyTable>
export type Sector = Selectable<SectorTable>
