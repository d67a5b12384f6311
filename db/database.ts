// The tables by area live in db/schema/; this file composes them into the one Database type and
// re-exports every name, so imports of db/database.ts need not know the area.
import type {
  CertificationEventTable,
  CountyTable,
  EnterpriseTable,
  SectorTable,
} from './schema/directory.ts'
import type { OutboxTable } from './schema/outbox.ts'
import type {
  ComplaintEventTable,
  ComplaintPhotoTable,
  ComplaintTable,
} from './schema/complaints.ts'
import type {
  ComplaintDraftPhotoTable,
  ComplaintDraftTable,
  IdempotencyKeyTable,
  RateLimitHitTable,
} from './schema/limits.ts'
import type { AuditLogTable, OperatorSessionTable, OperatorTable } from './schema/console.ts'
import type {
  HotlineCallbackTable,
  HotlineInboxTable,
  HotlineTicketTable,
} from './schema/hotline.ts'
import type {
  CommitmentTable,
  CreditGradeHistoryTable,
  CreditGradeTable,
  CreditObjectionTable,
  InspectedInstrumentTable,
  InspectionCampaignTable,
  InspectionKindTable,
  InspectionVisitTable,
  InspectorRecusalTable,
  MarketEntityTable,
  PenaltyTable,
  RecordCorrectionTable,
  VisitInspectorTable,
  VisitPhotoTable,
} from './schema/credit.ts'
import type {
  ComplaintSubjectTable,
  WarningTable,
  WarningThresholdTable,
} from './schema/warnings.ts'
import type {
  NotificationDeliveryTable,
  NotificationEndpointTable,
} from './schema/notifications.ts'
import type { QueryCodeRecoveryTable, SmsMessageTable } from './schema/sms.ts'
import type { ReporterRewardTable } from './schema/rewards.ts'
import type { Open311ClientTable, Open311RequestTable } from './schema/open311.ts'
import type { PiiKeyFingerprintTable } from './schema/privacy.ts'

export * from './schema/directory.ts'
export * from './schema/outbox.ts'
export * from './schema/complaints.ts'
export * from './schema/limits.ts'
export * from './schema/console.ts'
export * from './schema/hotline.ts'
export * from './schema/credit.ts'
export * from './schema/warnings.ts'
export * from './schema/notifications.ts'
export * from './schema/sms.ts'
export * from './schema/rewards.ts'
export * from './schema/open311.ts'
export * from './schema/privacy.ts'

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
  complaintDrafts: ComplaintDraftTable
  complaintDraftPhotos: ComplaintDraftPhotoTable
  rateLimitHits: RateLimitHitTable
  operators: OperatorTable
  operatorSessions: OperatorSessionTable
  auditLog: AuditLogTable
  hotlineTickets: HotlineTicketTable
  hotlineInbox: HotlineInboxTable
  hotlineCallbacks: HotlineCallbackTable
  marketEntities: MarketEntityTable
  commitments: CommitmentTable
  inspectionKinds: InspectionKindTable
  inspectionCampaigns: InspectionCampaignTable
  inspectorRecusals: InspectorRecusalTable
  inspectionVisits: InspectionVisitTable
  visitInspectors: VisitInspectorTable
  inspectedInstruments: InspectedInstrumentTable
  visitPhotos: VisitPhotoTable
  penalties: PenaltyTable
  creditObjections: CreditObjectionTable
  recordCorrections: RecordCorrectionTable
  creditGrades: CreditGradeTable
  creditGradeHistory: CreditGradeHistoryTable
  complaintSubjects: ComplaintSubjectTable
  warnings: WarningTable
  warningThresholds: WarningThresholdTable
  notificationEndpoints: NotificationEndpointTable
  notificationDeliveries: NotificationDeliveryTable
  smsMessages: SmsMessageTable
  queryCodeRecoveries: QueryCodeRecoveryTable
  reporterRewards: ReporterRewardTable
  open311Clients: Open311ClientTable
  open311Requests: Open311RequestTable
  piiKeyFingerprints: PiiKeyFingerprintTable
}
