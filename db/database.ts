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
  /** 信息变更: name, address, county or sector corrected in the console. */
  'amended',
] as const
export type CertificationEventKind = (typeof certificationEventKinds)[number]

// A handled message is deleted (db/queries/outbox.ts markDone); a dead one stays, with its error.
type OutboxState = 'pending' | 'dead'

/** 区县 (GB/T 2260). */
interface CountyTable {
  code: string
  name: string
  sortOrder: number
}

/** 行业 */
interface SectorTable {
  code: string
  name: string
  sortOrder: number
}

/** A certified honest-metrology business (诚信计量示范/品牌单位). */
interface EnterpriseTable {
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

/** Transactional outbox: every write that must reach another system leaves a row here. */
interface OutboxTable {
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

export const complaintKinds = ['complaint', 'report'] as const
/** 投诉 (a consumer's own dispute) / 举报 (a tip-off, may be anonymous) */
export type ComplaintKind = (typeof complaintKinds)[number]

export const complaintCategories = [
  'short_weight',
  'rigged_instrument',
  'fuel_dispenser',
  'taxi_meter',
  'utility_meter',
  'optical',
  'medical',
  'other',
] as const
export type ComplaintCategory = (typeof complaintCategories)[number]

export const complaintStatuses = [
  'received',
  'accepted',
  'rejected',
  'in_progress',
  'resolved',
  'closed',
  'returned',
] as const
/** 已接收 / 已受理 / 不予受理 / 办理中 / 已办结 / 已归档 / 已退单 (12345) */
export type ComplaintStatus = (typeof complaintStatuses)[number]

export const quantityUnits = ['jin', 'liang', 'kg', 'g', 'l', 'ml', 'm', 'km'] as const
export type QuantityUnit = (typeof quantityUnits)[number]

/** NUMERIC columns: read back as strings, so no cent is lost to floating point. */
type Numeric = ColumnType<string, string | number, string | number>

export const complaintChannels = ['web', 'hotline12345'] as const
/** 网上 / 12345 热线 */
export type ComplaintChannel = (typeof complaintChannels)[number]

/** A complaint (投诉) or report (举报) from a resident or the 12345 hotline. */
export interface ComplaintTable {
  id: Generated<string>
  /** 受理编号, e.g. JL20261206-4827-3915 (before December 2026: JL20261126-00042) */
  trackingNo: string
  /** HMAC of the secret query code (查询码); the code itself is never stored. */
  queryCodeHash: Buffer
  kind: ComplaintKind
  category: ComplaintCategory
  channel: Generated<ComplaintChannel>
  countyCode: string
  merchantName: string
  /** The credit code the resident typed, if any. */
  merchantUscc: string | null
  /** The certified business it names, when the code is in the directory. */
  enterpriseUscc: string | null
  address: string
  occurredAt: Timestamp
  description: string
  piiKeyId: string | null
  nameSealed: Buffer | null
  phoneSealed: Buffer | null
  /** Keyed hash of the normalised phone, for lookups and abuse limits. */
  phoneHash: Buffer | null
  claimedQuantity: Numeric | null
  measuredQuantity: Numeric | null
  unit: QuantityUnit | null
  unitPrice: Numeric | null
  /** 短缺金额 in yuan, computed from the figures above. */
  shortfallAmount: Numeric | null
  status: Generated<ComplaintStatus>
  receivedAt: DefaultTimestamp
  /** The current legal deadline (DESIGN.md section 4). */
  dueAt: Timestamp
  version: Generated<number>
  /** 0 normal, 1 urged (催办), 2 supervised (督办) by the 12345 hotline: first in the queue. */
  priority: Generated<number>
  /** 受理时间 */
  acceptedAt: Timestamp | null
  /** 不予受理: a reason code from the console's list, and its explanation. */
  rejectionReason: string | null
  rejectionNote: string | null
  /** 调解结果 */
  mediationResult: MediationResult | null
  /** 办结: the handling result for the file, and the reply the citizen reads. */
  handlingResult: string | null
  publicReply: string | null
  resolvedAt: Timestamp | null
  closedAt: Timestamp | null
  /**
   * When the name, phone, free text and photos were removed, three years after the case ended
   * (api/services/complaints/retention.ts); null while they are kept.
   */
  personalDataErasedAt: Timestamp | null
  /** Who removed them: the retention sweep, or a city administrator at the resident's request. */
  personalDataErasure: PersonalDataErasure | null
  /**
   * Set while a city administrator holds the erasure (reconsideration, a lawsuit), with why:
   * nothing of the resident is removed until the hold is lifted.
   */
  erasureHeldAt: Timestamp | null
  erasureHoldNote: string | null
  createdAt: DefaultTimestamp
  updatedAt: DefaultTimestamp
}

export type PersonalDataErasure = 'retention' | 'request'

export const mediationResults = ['agreed', 'failed', 'withdrawn'] as const
/** 调解成功 / 调解不成 / 撤回投诉 */
export type MediationResult = (typeof mediationResults)[number]

/** One entry of a complaint's timeline. */
interface ComplaintEventTable {
  id: Generated<string>
  complaintId: string
  kind: string
  isPublic: boolean
  note: string
  /** `citizen`, `system`, `hotline` or a handler's account. */
  actor: string
  occurredAt: DefaultTimestamp
}

export interface ComplaintPhotoTable {
  id: Generated<string>
  complaintId: string
  position: number
  storageKey: string
  contentType: string
  sizeBytes: number
  sha256: string
  originalName: string
}

interface IdempotencyKeyTable {
  scope: string
  key: string
  requestHash: Buffer
  complaintId: string
  piiKeyId: string
  responseSealed: Buffer
  createdAt: DefaultTimestamp
}

interface RateLimitHitTable {
  bucket: string
  windowStart: Timestamp
  hits: number
}

export const operatorRoles = ['city_admin', 'county_handler', 'viewer'] as const
/** 市局管理员 / 区县承办人 / 只读查看 */
export type OperatorRole = (typeof operatorRoles)[number]

/** A bureau staff member who signs in to the console. */
interface OperatorTable {
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

export const sessionStages = ['change_password', 'totp', 'active'] as const
/** How far a session got: only `active` may do more than finish signing in. */
export type SessionStage = (typeof sessionStages)[number]

interface OperatorSessionTable {
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
interface AuditLogTable {
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

export const appealTypes = ['投诉', '举报', '咨询', '建议', '求助'] as const
/** 诉求类型 of a 12345 work order. */
type AppealType = (typeof appealTypes)[number]

export const satisfactionLevels = ['satisfied', 'basically_satisfied', 'dissatisfied'] as const
/** 满意 / 基本满意 / 不满意, from the hotline's revisit (回访). */
export type Satisfaction = (typeof satisfactionLevels)[number]

export type HotlineRequestState = 'none' | 'requested' | 'approved' | 'rejected'

/** A 12345 work order (工单) and the case it became. */
export interface HotlineTicketTable {
  ticketNo: string
  complaintId: string
  appealType: AppealType
  urgency: 'normal' | 'urgent'
  title: string
  hostDept: string | null
  assistDepts: ColumnType<string[], string[] | undefined, string[]>
  attachments: ColumnType<string[], string | undefined, string>
  assignedAt: Date
  /** 办结期限, moved by an approved extension. */
  deadline: Date
  urgeCount: Generated<number>
  supervisedAt: Date | null
  returnState: Generated<HotlineRequestState>
  extensionState: Generated<HotlineRequestState>
  satisfaction: Satisfaction | null
  lastEventAt: Date
  createdAt: Generated<Date>
  updatedAt: Generated<Date>
}

export type HotlineInboxState = 'pending' | 'held' | 'applied' | 'rejected'

/** A signed event from the hotline, stored before it is answered (DESIGN.md section 5). */
interface HotlineInboxTable {
  webhookId: string
  webhookTimestamp: Date
  receivedAt: Generated<Date>
  bodySha256: Buffer
  /** The raw body, sealed: it holds the caller's name and phone. */
  piiKeyId: string
  bodySealed: Buffer
  eventType: string | null
  ticketNo: string | null
  occurredAt: Date | null
  state: HotlineInboxState
  responseStatus: number
  responseBody: ColumnType<unknown, string, string>
  errors: ColumnType<unknown, string | null | undefined, string | null>
  attempts: Generated<number>
  lastError: string | null
  availableAt: Generated<Date>
  appliedAt: Date | null
}

export const hotlineCallbackTypes = [
  'ticket.signed',
  'ticket.return_requested',
  'ticket.extension_requested',
  'ticket.progress',
  'ticket.completed',
] as const
export type HotlineCallbackType = (typeof hotlineCallbackTypes)[number]

/** An answer to the hotline, delivered in order per ticket (DESIGN.md section 5). */
interface HotlineCallbackTable {
  id: Generated<string>
  webhookId: string
  ticketNo: string
  complaintId: string
  eventType: HotlineCallbackType
  payload: ColumnType<unknown, string, string>
  state: Generated<'pending' | 'delivered' | 'dead'>
  attempts: Generated<number>
  nextAttemptAt: Generated<Date>
  lastAttemptAt: Date | null
  lastStatus: number | null
  lastError: string | null
  deliveredAt: Date | null
  operatorId: string | null
  createdAt: Generated<Date>
}

export interface Database {
  counties: CountyTable
  sectors: SectorTable
  enterprises: EnterpriseTable
  certificationEvents: CertificationEventTable
  outbox: OutboxTable
  complaints: ComplaintTable
  complaintEvents: ComplaintEventTable
  complaintPhotos: ComplaintPhotoTable
  idempotencyKeys: IdempotencyKeyTable
  rateLimitHits: RateLimitHitTable
  operators: OperatorTable
  operatorSessions: OperatorSessionTable
  auditLog: AuditLogTable
  hotlineTickets: HotlineTicketTable
  hotlineInbox: HotlineInboxTable
  hotlineCallbacks: HotlineCallbackTable
}

export type Enterprise = Selectable<EnterpriseTable>
export type NewEnterprise = Insertable<EnterpriseTable>
export type EnterpriseUpdate = Updateable<EnterpriseTable>
export type OutboxRow = Selectable<OutboxTable>
export type NewComplaint = Insertable<ComplaintTable>
export type Operator = Selectable<OperatorTable>
