import type { Insertable } from 'kysely'
import type {
  CertificationEventKind,
  CertificationEventTable,
  CertificationStatus,
  Enterprise,
} from '../../../db/database.ts'
import { lockEnterprises } from '../../../db/queries/enterprises.ts'
import { enqueue } from '../../../db/queries/outbox.ts'
import type { ServiceContext } from '../../deps.ts'
import { enterpriseChangedTopic, enterpriseKey } from '../../search/enterprise-indexer.ts'

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
}

export interface ApplyResult {
  added: string[]
  changed: string[]
  unchanged: string[]
}

const fields = [
  'name',
  'countyCode',
  'sectorCode',
  'address',
  'certifiedAt',
  'validUntil',
  'status',
] as const

function eventForStatusChange(from: CertificationStatus, to: CertificationStatus) {
  if (to === 'active') return from === 'suspended' ? 'reinstated' : 'renewed'
  return to satisfies Exclude<CertificationStatus, 'active'> as CertificationEventKind
}

/**
 * Writes checked records in one transaction: inserts new businesses, updates changed ones, records
 * each status change and renewal in the certification history, and leaves one outbox message per
 * touched business so the search index follows without a dual write. Records equal to what is
 * stored change nothing, so applying the same list twice is a no-op.
 */
export async function applyEnterpriseRecords({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { records: readonly EnterpriseRecord[]; source: string; today: string; isDemo?: boolean }
}): Promise<ApplyResult> {
  const { records, source, today } = input
  return ctx.db.transaction().execute(async (trx) => {
    const result: ApplyResult = { added: [], changed: [], unchanged: [] }
    const events: Insertable<CertificationEventTable>[] = []
    const existing = new Map<string, Enterprise>()
    for (let i = 0; i < records.length; i += 1000) {
      const chunk = records.slice(i, i + 1000).map((r) => r.uscc)
      for (const row of await lockEnterprises(trx, chunk)) existing.set(row.uscc, row)
    }

    const inserts = []
    for (const record of records) {
      const before = existing.get(record.uscc)
      if (!before) {
        const statusSince =
          record.status === 'active' ? record.certifiedAt : (record.statusSince ?? today)
        inserts.push({
          uscc: record.uscc,
          name: record.name,
          countyCode: record.countyCode,
          sectorCode: record.sectorCode,
          address: record.address,
          certifiedAt: record.certifiedAt,
          validUntil: record.validUntil,
          status: record.status,
          statusSince: statusSince < record.certifiedAt ? record.certifiedAt : statusSince,
          isDemo: input.isDemo ?? false,
        })
        events.push({
          uscc: record.uscc,
          kind: 'certified',
          occurredOn: record.certifiedAt,
          validUntil: record.validUntil,
          reason: null,
          source,
        })
        if (record.status !== 'active') {
          events.push({
            uscc: record.uscc,
            kind: eventForStatusChange('active', record.status),
            occurredOn: statusSince,
            validUntil: null,
            reason: record.reason ?? null,
            source,
          })
        }
        result.added.push(record.uscc)
        continue
      }

      if (fields.every((f) => before[f] === record[f])) {
        result.unchanged.push(record.uscc)
        continue
      }
      const statusChanged = before.status !== record.status
      const statusSince = statusChanged ? (record.statusSince ?? today) : before.statusSince
      await trx
        .updateTable('enterprises')
        .set({
          name: record.name,
          countyCode: record.countyCode,
          sectorCode: record.sectorCode,
          address: record.address,
          certifiedAt: record.certifiedAt,
          validUntil: record.validUntil,
          status: record.status,
          statusSince: statusSince < record.certifiedAt ? record.certifiedAt : statusSince,
          updatedAt: new Date(),
        })
        .where('uscc', '=', record.uscc)
        .execute()
      if (statusChanged) {
        events.push({
          uscc: record.uscc,
          kind: eventForStatusChange(before.status, record.status),
          occurredOn: statusSince,
          validUntil: record.status === 'active' ? record.validUntil : null,
          reason: record.reason ?? null,
          source,
        })
      } else if (record.status === 'active' && record.validUntil > before.validUntil) {
        events.push({
          uscc: record.uscc,
          kind: 'renewed',
          occurredOn: today,
          validUntil: record.validUntil,
          reason: record.reason ?? null,
          source,
        })
      }
      result.changed.push(record.uscc)
    }

    for (let i = 0; i < inserts.length; i += 500) {
      await trx
        .insertInto('enterprises')
        .values(inserts.slice(i, i + 500))
        .execute()
    }
    for (let i = 0; i < events.length; i += 1000) {
      await trx
        .insertInto('certificationEvents')
        .values(events.slice(i, i + 1000))
        .execute()
    }
    await enqueue(
      trx,
      [...result.added, ...result.changed].map((uscc) => ({
        topic: enterpriseChangedTopic,
        aggregateKey: enterpriseKey(uscc),
        payload: { uscc, source },
      })),
    )
    return result
  })
}
