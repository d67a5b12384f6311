import type { Kysely } from 'kysely'
import type { Database, Enterprise } from '../../../db/database.ts'
import { findEnterpriseRows, lockEnterprises } from '../../../db/queries/enterprises.ts'
import {
  insertCertificationEvents,
  insertEnterprises,
  updateEnterprise,
} from '../../../db/queries/enterprise-changes.ts'
import { enqueue } from '../../../db/queries/outbox.ts'
import { enqueueCreditRecompute } from '../../../db/queries/credit-record.ts'
import type { ServiceContext } from '../../deps.ts'
import { enterpriseChangedTopic, enterpriseKey } from '../../search/enterprise-indexer.ts'
import { planEnterpriseChanges, type ApplyResult, type EnterpriseRecord } from './import/plan.ts'

export type { ApplyResult, EnterpriseRecord } from './import/plan.ts'

interface ApplyInput {
  records: readonly EnterpriseRecord[]
  source: string
  today: string
  isDemo?: boolean
  /** Called as rows are written, for a progress display on long lists. */
  onProgress?: (done: number, total: number) => void
}

async function storedRows(
  records: readonly EnterpriseRecord[],
  read: (usccs: string[]) => Promise<Enterprise[]>,
) {
  const existing = new Map<string, Enterprise>()
  for (let i = 0; i < records.length; i += 1000) {
    const chunk = records.slice(i, i + 1000).map((r) => r.uscc)
    for (const row of await read(chunk)) existing.set(row.uscc, row)
  }
  return existing
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
  input: ApplyInput
}): Promise<ApplyResult> {
  const { records, source, onProgress } = input
  return ctx.db.transaction().execute(async (trx) => {
    const existing = await storedRows(records, (chunk) => lockEnterprises(trx, chunk))
    const plan = planEnterpriseChanges({ ...input, existing })
    const total = plan.updates.length + plan.inserts.length
    let done = 0

    for (const { uscc, set } of plan.updates) {
      await updateEnterprise(trx, uscc, { ...set, updatedAt: new Date() })
      done += 1
      if (done % 100 === 0) onProgress?.(done, total)
    }
    for (let i = 0; i < plan.inserts.length; i += 500) {
      const chunk = plan.inserts.slice(i, i + 500)
      await insertEnterprises(trx, chunk)
      done += chunk.length
      onProgress?.(done, total)
    }
    for (let i = 0; i < plan.events.length; i += 1000) {
      await insertCertificationEvents(trx, plan.events.slice(i, i + 1000))
    }
    await enqueue(
      trx,
      [...plan.result.added, ...plan.result.changed].map((uscc) => ({
        topic: enterpriseChangedTopic,
        aggregateKey: enterpriseKey(uscc),
        payload: { uscc, source },
      })),
    )
    // Certification status is one of the credit grade's inputs.
    await enqueueCreditRecompute(trx, [...plan.result.added, ...plan.result.changed], source)
    onProgress?.(total, total)
    return plan.result
  })
}

/**
 * What applyEnterpriseRecords would do, read without locks or writes: the same plan, compared
 * against the rows as they are now.
 */
export async function previewEnterpriseRecords({
  ctx,
  input,
}: {
  ctx: { db: Kysely<Database> }
  input: Omit<ApplyInput, 'onProgress'>
}): Promise<ApplyResult> {
  const existing = await storedRows(input.records, (chunk) => findEnterpriseRows(ctx.db, chunk))
  return planEnterpriseChanges({ ...input, existing }).result
}
