import type { Insertable } from 'kysely'
import type {
  CertificationEventKind,
  CertificationEventTable,
  CertificationStatus,
  Enterprise,
  NewEnterprise,
  EnterpriseUpdate,
} from '../../../../db/database.ts'

/** One checked row of the bureau's list, ready to write. */
export interface EnterpriseRecord {
  uscc: string
  name: string
  countyCode: string
  sectorCode: string
  address: string
  certifiedAt: string
  validUntil: string
  status: CertificationStatus
  /** When the current status began, if the source knows; otherwise the import day. */
  statusSince?: string | undefined
  /** Why the status changed (e.g. the revocation decision), kept in the history. */
  reason?: string | undefined
  /** The business's self-commitment (经营者自我承诺), when the list gives one. */
  commitment?: CommitmentFacts | undefined
}

/** A self-commitment as a list row gives it: text version, day signed, signer's role. */
export interface CommitmentFacts {
  textVersion: string
  signedOn: string
  signerRole: string
}

/** The stored fields whose difference makes a record "changed"; anything else is history. */
const comparedFields = [
  'name',
  'countyCode',
  'sectorCode',
  'address',
  'certifiedAt',
  'validUntil',
  'status',
] as const
export type ComparedField = (typeof comparedFields)[number]

export interface EnterpriseChange {
  uscc: string
  fields: ComparedField[]
  statusFrom: CertificationStatus
  statusTo: CertificationStatus
}

export interface ApplyResult {
  added: string[]
  changed: string[]
  unchanged: string[]
  /** What differs for each changed business, in the order of `changed`. */
  changes: EnterpriseChange[]
  /** Businesses whose row gives a commitment other than the one in force: it is recorded. */
  committed: string[]
}

/** Everything applying a list would write, worked out without touching the database. */
export interface EnterprisePlan {
  result: ApplyResult
  inserts: NewEnterprise[]
  updates: Array<{ uscc: string; set: EnterpriseUpdate }>
  events: Insertable<CertificationEventTable>[]
  commitments: Array<CommitmentFacts & { uscc: string }>
}

function eventForStatusChange(from: CertificationStatus, to: CertificationStatus) {
  if (to === 'active') return from === 'suspended' ? 'reinstated' : 'renewed'
  return to satisfies Exclude<CertificationStatus, 'active'> as CertificationEventKind
}

/** The stored columns of a record; a status cannot start before the certification itself. */
function columnsOf(record: EnterpriseRecord, statusSince: string) {
  return {
    name: record.name,
    countyCode: record.countyCode,
    sectorCode: record.sectorCode,
    address: record.address,
    certifiedAt: record.certifiedAt,
    validUntil: record.validUntil,
    status: record.status,
    statusSince: statusSince < record.certifiedAt ? record.certifiedAt : statusSince,
  }
}

/**
 * Compares records with what is stored and says what to insert, update and record in the history.
 * It is the one place that decides "added, changed or unchanged", so a dry run and a real import
 * can never disagree. Records equal to what is stored produce nothing, which makes applying the
 * same list twice a no-op.
 */
export function planEnterpriseChanges(input: {
  existing: ReadonlyMap<string, Enterprise>
  records: readonly EnterpriseRecord[]
  source: string
  today: string
  isDemo?: boolean | undefined
  /** Each business's commitment in force; a row repeating it records nothing. */
  currentCommitments?: ReadonlyMap<string, CommitmentFacts> | undefined
}): EnterprisePlan {
  const { existing, records, source, today } = input
  const plan: EnterprisePlan = {
    result: { added: [], changed: [], unchanged: [], changes: [], committed: [] },
    inserts: [],
    updates: [],
    events: [],
    commitments: [],
  }
  for (const record of records) {
    const given = record.commitment
    const current = input.currentCommitments?.get(record.uscc)
    if (
      given &&
      (current?.textVersion !== given.textVersion ||
        current.signedOn !== given.signedOn ||
        current.signerRole !== given.signerRole)
    ) {
      plan.commitments.push({ uscc: record.uscc, ...given })
      plan.result.committed.push(record.uscc)
    }
    const before = existing.get(record.uscc)
    if (!before) {
      const statusSince =
        record.status === 'active' ? record.certifiedAt : (record.statusSince ?? today)
      plan.inserts.push({
        uscc: record.uscc,
        ...columnsOf(record, statusSince),
        isDemo: input.isDemo ?? false,
      })
      plan.events.push({
        uscc: record.uscc,
        kind: 'certified',
        occurredOn: record.certifiedAt,
        validUntil: record.validUntil,
        reason: null,
        source,
      })
      if (record.status !== 'active') {
        plan.events.push({
          uscc: record.uscc,
          kind: eventForStatusChange('active', record.status),
          occurredOn: statusSince,
          validUntil: null,
          reason: record.reason ?? null,
          source,
        })
      }
      plan.result.added.push(record.uscc)
      continue
    }

    const fields = comparedFields.filter((f) => before[f] !== record[f])
    if (fields.length === 0) {
      plan.result.unchanged.push(record.uscc)
      continue
    }
    const statusChanged = before.status !== record.status
    const statusSince = statusChanged ? (record.statusSince ?? today) : before.statusSince
    plan.updates.push({
      uscc: record.uscc,
      set: columnsOf(record, statusSince),
    })
    if (statusChanged) {
      plan.events.push({
        uscc: record.uscc,
        kind: eventForStatusChange(before.status, record.status),
        occurredOn: statusSince,
        validUntil: record.status === 'active' ? record.validUntil : null,
        reason: record.reason ?? null,
        source,
      })
    } else if (record.status === 'active' && record.validUntil > before.validUntil) {
      plan.events.push({
        uscc: record.uscc,
        kind: 'renewed',
        occurredOn: today,
        validUntil: record.validUntil,
        reason: record.reason ?? null,
        source,
      })
    }
    plan.result.changed.push(record.uscc)
    plan.result.changes.push({
      uscc: record.uscc,
      fields,
      statusFrom: before.status,
      statusTo: record.status,
    })
  }
  return plan
}
