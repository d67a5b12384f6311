import type { Kysely } from 'kysely'
import type { Database, Enterprise } from '../../../db/database.ts'
import { findEnterpriseRows, lockEnterprises } from '../../../db/queries/enterprises.ts'
import {
  insertCertificationEvents,
  insertEnterprises,
  updateEnterprise,
} from '../../../db/queries/enterprise-changes.ts'
import { enqueue } from '../../../db/queries/outbox.ts'
import {
  currentCommitments,
  insertCommitment,
  type CommitmentFacts,
} from '../../../db/queries/credit-console.ts'
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

/** The commitment in force of each business whose row gives one (the rest need none). */
async function commitmentsInForce(db: Kysely<Database>, records: readonly EnterpriseRecord[]) {
  const usccs = records.filter((r) => r.commitment).map((r) => r.uscc)
  const found = new Map<string, CommitmentFacts>()
  for (let i = 0; i < usccs.length; i += 1000) {
    for (const [uscc, facts] of await currentCommitments(db, usccs.slice(i, i + 1000))) {
      found.set(uscc, facts)
    }
  }
  return found
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
    const plan = planEnterpriseChanges({
      ...input,
      existing,
      currentCommitments: await commitmentsInForce(trx, records),
    })
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
    // 经营者自我承诺 from the list's optional columns: a new one is in force from now, and the
    // grade is asked for again in the same transaction.
    for (const commitment of plan.commitments) {
      await insertCommitment(trx, { ...commitment, source, recordedBy: null })
    }
    // Certification status and the commitment are both inputs of the credit grade.
    const regrade = [...plan.result.added, ...plan.result.changed, ...plan.result.committed]
    await enqueueCreditRecompute(trx, regrade, source)
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
  const commitments = await commitmentsInForce(ctx.db, input.records)
  return planEnterpriseChanges({ ...input, existing, currentCommitments: commitments }).result
}
