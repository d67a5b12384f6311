import { sql, type Insertable, type Kysely, type Transaction, type Updateable } from 'kysely'
import type { Database } from '../database.ts'
import type { PenaltyTable } from '../schema/credit.ts'

/** A penalty as the console shows it: the business's name (certified or market entity), the
 * county's name and the linked case's tracking number. */
function penaltyView(db: Kysely<Database>) {
  return db
    .selectFrom('penalties as p')
    .innerJoin('counties as co', 'co.code', 'p.countyCode')
    .leftJoin('enterprises as e', 'e.uscc', 'p.uscc')
    .leftJoin('marketEntities as m', 'm.uscc', 'p.uscc')
    .leftJoin('complaints as c', 'c.id', 'p.complaintId')
    .leftJoin('operators as o', 'o.id', 'p.createdBy')
    .selectAll('p')
    .select((eb) => [
      'co.name as countyName',
      eb.fn.coalesce('e.name', 'm.name').as('businessName'),
      'c.trackingNo as caseTrackingNo',
      'o.username as createdByUsername',
    ])
}

export type PenaltyRow = Awaited<ReturnType<ReturnType<typeof penaltyView>['execute']>>[number]

export interface PenaltyFilter {
  /** Only this county's; null for every county. */
  county: string | null
  /** 决定书文号, credit code or business name, as a substring. */
  text?: string | undefined
  /** Published (公示中) or taken down (已撤下公示). */
  state?: 'published' | 'taken_down' | undefined
}

function filtered(db: Kysely<Database>, filter: PenaltyFilter) {
  let query = penaltyView(db)
  if (filter.county) query = query.where('p.countyCode', '=', filter.county)
  if (filter.state === 'published') query = query.where('p.takenDownAt', 'is', null)
  if (filter.state === 'taken_down') query = query.where('p.takenDownAt', 'is not', null)
  if (filter.text) {
    const pattern = `%${filter.text.replace(/[\\%_]/g, (m) => `\\${m}`)}%`
    query = query.where((eb) =>
      eb.or([
        eb('p.decisionNo', 'ilike', pattern),
        eb('p.uscc', 'ilike', pattern),
        eb('e.name', 'ilike', pattern),
        eb('m.name', 'ilike', pattern),
      ]),
    )
  }
  return query
}

/** One page of penalties, the latest decisions first. */
export async function listPenalties(
  db: Kysely<Database>,
  filter: PenaltyFilter,
  page: { offset: number; limit: number },
): Promise<{ items: PenaltyRow[]; total: number }> {
  const [items, count] = await Promise.all([
    filtered(db, filter)
      .orderBy('p.decidedOn', 'desc')
      .orderBy('p.id', 'desc')
      .offset(page.offset)
      .limit(page.limit)
      .execute(),
    filtered(db, filter)
      .clearSelect()
      .select((eb) => eb.fn.countAll<string>().as('total'))
      .executeTakeFirstOrThrow(),
  ])
  return { items, total: Number(count.total) }
}

export async function findPenalty(db: Kysely<Database>, id: string) {
  return penaltyView(db).where('p.id', '=', id).executeTakeFirst()
}

/** The penalty a decision number already names (决定书文号 are unique). */
export async function penaltyIdByDecisionNo(db: Kysely<Database>, decisionNo: string) {
  const row = await db
    .selectFrom('penalties')
    .select('id')
    .where('decisionNo', '=', decisionNo)
    .executeTakeFirst()
  return row?.id
}

/** A case a penalty may name (立案查处), by its tracking number. */
export async function caseByTrackingNo(db: Kysely<Database>, trackingNo: string) {
  return db
    .selectFrom('complaints')
    .select(['id', 'countyCode'])
    .where('trackingNo', '=', trackingNo)
    .executeTakeFirst()
}

export async function insertPenalty(
  trx: Transaction<Database>,
  penalty: Insertable<PenaltyTable>,
): Promise<string> {
  const row = await trx
    .insertInto('penalties')
    .values(penalty)
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

/** The penalty's row, locked for an edit. */
export async function lockPenalty(trx: Transaction<Database>, id: string) {
  return trx.selectFrom('penalties').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
}

/**
 * Writes `changes` and the next version only if the penalty is still at `version`: false means
 * someone else changed it first.
 */
export async function updatePenaltyAtVersion(
  trx: Transaction<Database>,
  id: string,
  version: number,
  changes: Updateable<PenaltyTable>,
): Promise<boolean> {
  const result = await trx
    .updateTable('penalties')
    .set({ ...changes, version: sql<number>`version + 1`, updatedAt: sql<Date>`now()` })
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst()
  return result.numUpdatedRows === 1n
}

/**
 * Takes down every penalty whose last day of publication is before `today` (Beijing): the
 * rows it took down. Rows another sweep holds are skipped; that sweep takes them.
 */
export async function takeDownPenaltiesBefore(trx: Transaction<Database>, today: string, at: Date) {
  const due = await trx
    .selectFrom('penalties')
    .select('id')
    .where('takenDownAt', 'is', null)
    .where('publishUntil', '<', today)
    .forUpdate()
    .skipLocked()
    .execute()
  if (due.length === 0) return []
  return trx
    .updateTable('penalties')
    .set({ takenDownAt: at, version: sql<number>`version + 1`, updatedAt: sql<Date>`now()` })
    .where(
      'id',
      'in',
      due.map((d) => d.id),
    )
    .returning(['id', 'uscc', 'decisionNo', 'publishUntil'])
    .execute()
}
