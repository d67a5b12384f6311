import {
  certificationHistories,
  enterprisesInDirectoryOrder,
} from '../../../db/queries/directory.ts'
import type { ServiceContext } from '../../deps.ts'
import { toItem } from '../enterprises/list.ts'
import type { EnterpriseItem } from '../enterprises/schemas.ts'
import type { CertificationEventKind } from '../../../db/database.ts'

interface CertificationEntry {
  kind: CertificationEventKind
  occurredOn: string
  validUntil: string | null
  reason: string | null
}

export interface EnterpriseWithHistory extends EnterpriseItem {
  history: CertificationEntry[]
}

/**
 * Every business in directory order (county, name), in batches, for the static build: one query
 * per batch instead of one per page, however many thousand pages there are.
 */
export async function* allEnterprises({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { batchSize: number }
}): AsyncGenerator<EnterpriseItem[]> {
  for await (const batch of enterprisesInDirectoryOrder(ctx.db, input.batchSize)) {
    yield batch.map(toItem)
  }
}

/** Like allEnterprises, with each business's certification history (two queries per batch). */
export async function* allEnterprisesWithHistory({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { batchSize: number }
}): AsyncGenerator<EnterpriseWithHistory[]> {
  for await (const batch of enterprisesInDirectoryOrder(ctx.db, input.batchSize)) {
    const histories = new Map<string, CertificationEntry[]>()
    for (const { uscc, ...entry } of await certificationHistories(
      ctx.db,
      batch.map((e) => e.uscc),
    )) {
      const list = histories.get(uscc) ?? []
      list.push(entry)
      histories.set(uscc, list)
    }
    yield batch.map((e) => ({ ...toItem(e), history: histories.get(e.uscc) ?? [] }))
  }
}
