import { sql, type Kysely, type Transaction, type Updateable } from 'kysely'
import type { Database, RewardState, ReporterRewardTable } from '../database.ts'

/**
 * What deciding on a reward step needs: the case's kind, status, finding, follow-up, the penalties
 * entered with its number, and its reward if one was proposed. With `lock` (in a transaction) the
 * case's row and the reward are locked, so a case action and a reward step on the same case run
 * one after the other.
 */
export async function rewardCase(db: Kysely<Database>, complaintId: string, lock: boolean) {
  const caseQuery = db
    .selectFrom('complaints as c')
    .select((eb) => [
      'c.id',
      'c.trackingNo',
      'c.kind',
      'c.status',
      'c.countyCode',
      'c.finding',
      'c.followUp',
      eb
        .selectFrom('penalties as p')
        .select(sql<number>`count(*)::int`.as('n'))
        .whereRef('p.complaintId', '=', 'c.id')
        .as('penaltyCount'),
    ])
    .where('c.id', '=', complaintId)
  const found = await (lock ? caseQuery.forUpdate() : caseQuery).executeTakeFirst()
  if (!found) return undefined
  const rewardQuery = db
    .selectFrom('reporterRewards')
    .selectAll()
    .where('complaintId', '=', complaintId)
  const reward = await (lock ? rewardQuery.forUpdate() : rewardQuery).executeTakeFirst()
  return { ...found, penaltyCount: found.penaltyCount ?? 0, reward }
}

/** rewardCase with its rows locked, in the caller's transaction. */
export const lockRewardCase = (trx: Transaction<Database>, complaintId: string) =>
  rewardCase(trx, complaintId, true)

export type LockedRewardCase = NonNullable<Awaited<ReturnType<typeof lockRewardCase>>>

export async function insertReward(
  trx: Transaction<Database>,
  row: {
    complaintId: string
    amountFen: number
    rule: ReporterRewardTable['rule']
    ruleNote: string
    proposedBy: string
    proposedAt: Date
  },
) {
  await trx.insertInto('reporterRewards').values(row).execute()
}

/**
 * Writes `changes` and the next version only if the reward is still at `version`: false means
 * someone changed it first.
 */
export async function updateRewardAtVersion(
  trx: Transaction<Database>,
  id: string,
  version: number,
  changes: Updateable<ReporterRewardTable>,
): Promise<boolean> {
  const result = await trx
    .updateTable('reporterRewards')
    .set((eb) => ({ ...changes, version: eb('version', '+', 1), updatedAt: sql`now()` }))
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst()
  return result.numUpdatedRows === 1n
}

/** A case's reward with the names of the operators who took each step, or undefined. */
export async function rewardOfCase(db: Kysely<Database>, complaintId: string) {
  return db
    .selectFrom('reporterRewards as r')
    .leftJoin('operators as op', 'op.id', 'r.proposedBy')
    .leftJoin('operators as od', 'od.id', 'r.decidedBy')
    .leftJoin('operators as oq', 'oq.id', 'r.paidBy')
    .selectAll('r')
    .select([
      'op.username as proposedByName',
      'od.username as decidedByName',
      'oq.username as paidByName',
    ])
    .where('r.complaintId', '=', complaintId)
    .executeTakeFirst()
}

export type RewardRow = NonNullable<Awaited<ReturnType<typeof rewardOfCase>>>

/** What the reporter reads of their reward: from approval on only (a proposal is internal). */
export async function rewardOfReporter(db: Kysely<Database>, complaintId: string) {
  return db
    .selectFrom('reporterRewards')
    .select([
      'id',
      'state',
      'amountFen',
      'rule',
      'decidedAt',
      'claimDeadline',
      'claimedAt',
      'claimMethod',
      'paidOn',
      'paymentMethod',
      'paymentReference',
      'version',
    ])
    .where('complaintId', '=', complaintId)
    .where('state', 'in', ['approved', 'claimed', 'paid'])
    .executeTakeFirst()
}

/**
 * The reporter's confirmation, once and before the deadline: false when it was confirmed
 * meanwhile or the period ended.
 */
export async function storeRewardClaim(
  trx: Transaction<Database>,
  row: {
    id: string
    method: NonNullable<ReporterRewardTable['claimMethod']>
    payeeSealed: Buffer | null
    payeeKeyId: string | null
    at: Date
  },
): Promise<boolean> {
  const result = await trx
    .updateTable('reporterRewards')
    .set((eb) => ({
      state: 'claimed',
      claimedAt: row.at,
      claimMethod: row.method,
      payeeSealed: row.payeeSealed,
      payeeKeyId: row.payeeKeyId,
      version: eb('version', '+', 1),
      updatedAt: row.at,
    }))
    .where('id', '=', row.id)
    .where('state', '=', 'approved')
    .where('claimDeadline', '>', row.at)
    .executeTakeFirst()
  return result.numUpdatedRows === 1n
}

export interface RewardListFilter {
  /** Only this county's cases; null for every county. */
  countyCode: string | null
  state: RewardState | null
  limit: number
  offset: number
}

/** Rewards in scope, those waiting for someone first (待审批, then 待发放), newest first. */
export async function listRewards(db: Kysely<Database>, filter: RewardListFilter) {
  let query = db
    .selectFrom('reporterRewards as r')
    .innerJoin('complaints as c', 'c.id', 'r.complaintId')
    .innerJoin('counties as co', 'co.code', 'c.countyCode')
  if (filter.countyCode) query = query.where('c.countyCode', '=', filter.countyCode)
  if (filter.state) query = query.where('r.state', '=', filter.state)
  const [items, total] = await Promise.all([
    query
      .select([
        'r.complaintId',
        'c.trackingNo',
        'c.countyCode',
        'co.name as countyName',
        'r.state',
        'r.amountFen',
        'r.rule',
        'r.proposedAt',
        'r.claimDeadline',
        'r.paidOn',
        'r.updatedAt',
      ])
      .orderBy(sql`CASE r.state WHEN 'proposed' THEN 0 WHEN 'claimed' THEN 1 ELSE 2 END`)
      .orderBy('r.updatedAt', 'desc')
      .orderBy('r.id', 'desc')
      .limit(filter.limit)
      .offset(filter.offset)
      .execute(),
    query.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ])
  return { items, total: total.n }
}

/** Erasure (retention or on request): the receiving details go with the rest of the resident. */
export async function erasePayeeOfCases(trx: Transaction<Database>, ids: readonly string[]) {
  if (ids.length === 0) return
  await trx
    .updateTable('reporterRewards')
    .set({ payeeSealed: null, payeeKeyId: null })
    .where('complaintId', 'in', ids)
    .where('payeeSealed', 'is not', null)
    .execute()
}
