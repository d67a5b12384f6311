import type { Migration } from 'kysely/migration'
import * as directory from './2026-11-26T0900-directory.ts'
import * as complaints from './2026-11-27T0900-complaints.ts'
import * as fileComplaintFunction from './2026-11-27T1400-file-complaint-function.ts'
import * as fileComplaintsInBatches from './2026-11-27T1500-file-complaints-in-batches.ts'
import * as consoleTables from './2026-11-27T1600-console.ts'
import * as enterprisePublishing from './2026-11-27T1703-enterprise-publishing.ts'
import * as hotlineInbound from './2026-11-28T0900-hotline-inbound.ts'
import * as hotlineCallbacks from './2026-11-28T0901-hotline-callbacks.ts'
import * as consoleSessionChanges from './2026-11-29T0900-console-session-changes.ts'
import * as personalDataRetention from './2026-11-30T0900-personal-data-retention.ts'
import * as personalDataErasureOnRequest from './2026-12-01T0900-personal-data-erasure-on-request.ts'
import * as erasureHold from './2026-12-02T0900-erasure-hold.ts'
import * as retentionSweepIndexes from './2026-12-03T0900-retention-sweep-indexes.ts'
import * as randomTrackingNumbers from './2026-12-06T0900-random-tracking-numbers.ts'
import * as creditRecords from './2026-12-06T1000-credit-records.ts'
import * as visitInspectorsPresent from './2026-12-06T1130-visit-inspectors-present.ts'
import * as commitmentWithdrawals from './2026-12-06T1150-commitment-withdrawals.ts'
import * as creditGradeAgeOutNote from './2026-12-06T1110-credit-grade-age-out-note.ts'
import * as complaintDrafts from './2026-12-06T1300-complaint-drafts.ts'
import * as warnings from './2026-12-07T0900-warnings.ts'
import * as notifications from './2026-12-07T0910-notifications.ts'
import * as warningCasesDerived from './2026-12-07T1500-warning-cases-derived.ts'
import * as residentSms from './2026-12-08T0900-resident-sms.ts'
import * as queryCodeRecovery from './2026-12-08T0910-query-code-recovery.ts'
import * as ratingsAndReview from './2026-12-08T0920-ratings-and-review.ts'
import * as mergedCases from './2026-12-08T0930-merged-cases.ts'
import * as reporterRewards from './2026-12-08T0940-reporter-rewards.ts'
import * as open311Clients from './2026-12-08T0950-open311-clients.ts'
import * as piiKeyFingerprints from './2026-12-09T0900-pii-key-fingerprints.ts'

/**
 * Every migration, by its frozen name. A static list (not a folder scan) so bundlers and tests
 * load the same set.
 */
export const migrations: Record<string, Migration> = {
  '2026-11-26T0900-directory': directory,
  '2026-11-27T0900-complaints': complaints,
  '2026-11-27T1400-file-complaint-function': fileComplaintFunction,
  '2026-11-27T1500-file-complaints-in-batches': fileComplaintsInBatches,
  '2026-11-27T1600-console': consoleTables,
  '2026-11-27T1703-enterprise-publishing': enterprisePublishing,
  '2026-11-28T0900-hotline-inbound': hotlineInbound,
  '2026-11-28T0901-hotline-callbacks': hotlineCallbacks,
  '2026-11-29T0900-console-session-changes': consoleSessionChanges,
  '2026-11-30T0900-personal-data-retention': personalDataRetention,
  '2026-12-01T0900-personal-data-erasure-on-request': personalDataErasureOnRequest,
  '2026-12-02T0900-erasure-hold': erasureHold,
  '2026-12-03T0900-retention-sweep-indexes': retentionSweepIndexes,
  '2026-12-06T0900-random-tracking-numbers': randomTrackingNumbers,
  '2026-12-06T1000-credit-records': creditRecords,
  '2026-12-06T1130-visit-inspectors-present': visitInspectorsPresent,
  '2026-12-06T1150-commitment-withdrawals': commitmentWithdrawals,
  '2026-12-06T1110-credit-grade-age-out-note': creditGradeAgeOutNote,
  '2026-12-06T1300-complaint-drafts': complaintDrafts,
  '2026-12-07T0900-warnings': warnings,
  '2026-12-07T0910-notifications': notifications,
  '2026-12-07T1500-warning-cases-derived': warningCasesDerived,
  '2026-12-08T0900-resident-sms': residentSms,
  '2026-12-08T0910-query-code-recovery': queryCodeRecovery,
  '2026-12-08T0920-ratings-and-review': ratingsAndReview,
  '2026-12-08T0930-merged-cases': mergedCases,
  '2026-12-08T0940-reporter-rewards': reporterRewards,
  '2026-12-08T0950-open311-clients': open311Clients,
  '2026-12-09T0900-pii-key-fingerprints': piiKeyFingerprints,
}
