import { sql, type Kysely, type Transaction } from 'kysely'
import type {
  CaseFinding,
  CorrectionEffect,
  ObjectionStatus,
  RecordItemKind,
  VisitResult,
} from '../../api/domain/credit.ts'
import type { Database } from '../database.ts'

// The console's side of a business's credit record (issue 22, points 2, 7 and 9): commitments,
// objections and corrections, and every item as a handler sees it (taken-down penalties, struck
// items and unpublished visits included). The public reader is credit-record.ts.

const beijingDay = (column: string) =>
  sql<string>`to_char(${sql.ref(column)} AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')`

const escapeLike = (text: string) => `%${text.replace(/[\\%_]/g, (m) => `\\${m}`)}%`

export interface CommitmentFacts {
  textVersion: string
  signedOn: string
  signerRole: string
}

export async function insertCommitment(
  trx: Transaction<Database>,
  row: CommitmentFacts & { uscc: string; source: string; recordedBy: string | null },
): Promise<string> {
  const { id } = await trx
    .insertInto('commitments')
    .values(row)
    .returning('id')
    .executeTakeFirstOrThrow()
  return id
}

/** Each business's commitment in force (the latest not withdrawn), as the public record reads it. */
export async function currentCommitments(
  db: Kysely<Database>,
  usccs: readonly string[],
): Promise<Map<string, CommitmentFacts>> {
  if (usccs.length === 0) return new Map()
  const rows = await db
    .selectFrom('commitments')
    .distinctOn('uscc')
    .select(['uscc', 'textVersion', 'signedOn', 'signerRole'])
    .where('uscc', 'in', [...usccs])
    .where('withdrawnAt', 'is', null)
    .orderBy('uscc')
    .orderBy('signedOn', 'desc')
    .orderBy('id', 'desc')
    .execute()
  return new Map(rows.map(({ uscc, ...facts }) => [uscc, facts]))
}

/** Withdraws one commitment still in force; false when it is not (unknown, or withdrawn already). */
export async function withdrawCommitment(
  trx: Transaction<Database>,
  change: { id: string; uscc: string; reason: string; by: string },
): Promise<boolean> {
  const result = await trx
    .updateTable('commitments')
    .set({ withdrawnAt: sql<Date>`now()`, withdrawalReason: change.reason, withdrawnBy: change.by })
    .where('id', '=', change.id)
    .where('uscc', '=', change.uscc)
    .where('withdrawnAt', 'is', null)
    .executeTakeFirst()
  return result.numUpdatedRows === 1n
}

/** Every commitment of a business, withdrawn ones too, newest first. */
export function consoleCommitments(db: Kysely<Database>, uscc: string) {
  return db
    .selectFrom('commitments')
    .select([
      'id',
      'textVersion',
      'signedOn',
      'signerRole',
      'source',
      'withdrawnAt',
      'withdrawalReason',
      'createdAt',
    ])
    .where('uscc', '=', uscc)
    .orderBy('signedOn', 'desc')
    .orderBy('id', 'desc')
    .execute()
}

/** Every recorded visit of a business, published or not. */
export function consoleInspections(db: Kysely<Database>, uscc: string) {
  return db
    .selectFrom('inspectionVisits as v')
    .innerJoin('inspectionCampaigns as c', 'c.id', 'v.campaignId')
    .select([
      'v.id',
      'v.campaignId',
      'c.title as campaignTitle',
      'c.kind',
      'v.status',
      'v.visitedOn',
      'v.result',
      'v.findings',
      'v.rectificationDue',
      'v.followUpOn',
      'v.followUpResult',
      'v.publishedAt',
    ])
    .where('v.uscc', '=', uscc)
    .where('v.status', '!=', 'planned')
    .orderBy('v.visitedOn', 'desc')
    .orderBy('v.id', 'desc')
    .execute()
}

/**
 * Every closed case naming the business by code with a finding, whatever the finding (only
 * 查实/部分查实 are public). Nothing of the resident: no name, phone, words or photos.
 */
export function consoleCases(db: Kysely<Database>, uscc: string) {
  return db
    .selectFrom('complaints')
    .select([
      'id',
      'trackingNo',
      'category',
      'finding',
      'followUp',
      'countyCode',
      beijingDay('closed_at').as('closedOn'),
    ])
    .where((eb) => eb.or([eb('enterpriseUscc', '=', uscc), eb('merchantUscc', '=', uscc)]))
    .where('closedAt', 'is not', null)
    .where('finding', 'is not', null)
    .orderBy('closedAt', 'desc')
    .orderBy('id', 'desc')
    .execute()
}

/** Every penalty of a business: unpublished, public, and taken down. */
export function consolePenalties(db: Kysely<Database>, uscc: string) {
  return db
    .selectFrom('penalties')
    .select([
      'id',
      'decisionNo',
      'decidedOn',
      'kind',
      'violation',
      'penalty',
      'legalBasis',
      'publishedAt',
      'publishUntil',
      'takenDownAt',
    ])
    .where('uscc', '=', uscc)
    .orderBy('decidedOn', 'desc')
    .orderBy('id', 'desc')
    .execute()
}

export function consoleCorrections(db: Kysely<Database>, uscc: string) {
  return db
    .selectFrom('recordCorrections')
    .select(['itemKind', 'itemId', 'objectionId', 'effect', 'note', 'correctedAt'])
    .where('uscc', '=', uscc)
    .orderBy('correctedAt', 'desc')
    .execute()
}

export function consoleObjections(db: Kysely<Database>, uscc: string) {
  return db
    .selectFrom('creditObjections as o')
    .leftJoin('operators as d', 'd.id', 'o.decidedBy')
    .select([
      'o.id',
      'o.itemKind',
      'o.itemId',
      'o.receivedOn',
      'o.statement',
      'o.status',
      'o.outcomeNote',
      'o.decidedAt',
      'd.username as decidedBy',
      'o.version',
      'o.createdAt',
    ])
    .where('o.uscc', '=', uscc)
    .orderBy('o.createdAt', 'desc')
    .orderBy('o.id', 'desc')
    .execute()
}

export function currentGrade(db: Kysely<Database>, uscc: string) {
  return db
    .selectFrom('creditGrades')
    .select(['grade', 'ruleVersion', 'reasons', 'nextAgeOut', 'computedAt'])
    .where('uscc', '=', uscc)
    .executeTakeFirst()
}

/** What an objection may concern: one item of this business's record, with its current values. */
export type RecordItem =
  | { kind: 'inspection'; id: string; result: VisitResult | null }
  | { kind: 'case'; id: string; finding: CaseFinding | null }
  | { kind: 'penalty'; id: string; penalty: string }
  | { kind: 'commitment'; id: string; withdrawn: boolean }

/** The item of this business's record, or undefined when it is no item of this business. */
export async function findRecordItem(
  db: Kysely<Database>,
  kind: RecordItemKind,
  id: string,
  uscc: string,
): Promise<RecordItem | undefined> {
  switch (kind) {
    case 'inspection': {
      const row = await db
        .selectFrom('inspectionVisits')
        .select(['id', 'result'])
        .where('id', '=', id)
        .where('uscc', '=', uscc)
        .where('status', '!=', 'planned')
        .executeTakeFirst()
      return row && { kind, id: row.id, result: row.result }
    }
    case 'case': {
      const row = await db
        .selectFrom('complaints')
        .select(['id', 'finding'])
        .where('id', '=', id)
        .where((eb) => eb.or([eb('enterpriseUscc', '=', uscc), eb('merchantUscc', '=', uscc)]))
        .where('closedAt', 'is not', null)
        .where('finding', 'is not', null)
        .executeTakeFirst()
      return row && { kind, id: row.id, finding: row.finding }
    }
    case 'penalty': {
      const row = await db
        .selectFrom('penalties')
        .select(['id', 'penalty'])
        .where('id', '=', id)
        .where('uscc', '=', uscc)
        .executeTakeFirst()
      return row && { kind, id: row.id, penalty: row.penalty }
    }
    case 'commitment': {
      const row = await db
        .selectFrom('commitments')
        .select(['id', 'withdrawnAt'])
        .where('id', '=', id)
        .where('uscc', '=', uscc)
        .executeTakeFirst()
      return row && { kind, id: row.id, withdrawn: row.withdrawnAt !== null }
    }
  }
}

export async function insertObjection(
  trx: Transaction<Database>,
  row: {
    uscc: string
    itemKind: RecordItemKind
    itemId: string
    receivedOn: string
    statement: string
    createdBy: string
  },
): Promise<string> {
  const { id } = await trx
    .insertInto('creditObjections')
    .values(row)
    .returning('id')
    .executeTakeFirstOrThrow()
  return id
}

export function findObjection(db: Kysely<Database>, id: string, uscc: string) {
  return db
    .selectFrom('creditObjections')
    .select(['id', 'uscc', 'itemKind', 'itemId', 'status', 'version'])
    .where('id', '=', id)
    .where('uscc', '=', uscc)
    .executeTakeFirst()
}

/**
 * Decides a pending objection read at `version`; false when someone decided or changed it
 * meanwhile (the caller answers 409 and writes nothing).
 */
export async function decideObjectionAtVersion(
  trx: Transaction<Database>,
  id: string,
  version: number,
  decision: { status: Exclude<ObjectionStatus, 'pending'>; outcomeNote: string; decidedBy: string },
): Promise<boolean> {
  const result = await trx
    .updateTable('creditObjections')
    .set({ ...decision, decidedAt: sql<Date>`now()`, version: sql<number>`version + 1` })
    .where('id', '=', id)
    .where('version', '=', version)
    .where('status', '=', 'pending')
    .executeTakeFirst()
  return result.numUpdatedRows === 1n
}

export async function hasCorrection(
  db: Kysely<Database>,
  kind: RecordItemKind,
  id: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('recordCorrections')
    .select('id')
    .where('itemKind', '=', kind)
    .where('itemId', '=', id)
    .executeTakeFirst()
  return row !== undefined
}

export async function insertCorrection(
  trx: Transaction<Database>,
  row: {
    itemKind: RecordItemKind
    itemId: string
    uscc: string
    objectionId: string
    effect: CorrectionEffect
    note: string
  },
): Promise<boolean> {
  // One correction per item (a unique key): a second, racing one inserts nothing.
  const inserted = await trx
    .insertInto('recordCorrections')
    .values(row)
    .onConflict((oc) => oc.columns(['itemKind', 'itemId']).doNothing())
    .returning('id')
    .executeTakeFirst()
  return inserted !== undefined
}

/** An upheld objection's amendment of the one field that was wrong (the next version of it). */
export async function amendRecordItem(
  trx: Transaction<Database>,
  change:
    | { kind: 'inspection'; id: string; result: VisitResult }
    | { kind: 'case'; id: string; finding: CaseFinding }
    | { kind: 'penalty'; id: string; penalty: string },
): Promise<void> {
  const next = { version: sql<number>`version + 1`, updatedAt: sql<Date>`now()` }
  switch (change.kind) {
    case 'inspection':
      await trx
        .updateTable('inspectionVisits')
        .set({ result: change.result, ...next })
        .where('id', '=', change.id)
        .execute()
      return
    case 'case':
      await trx
        .updateTable('complaints')
        .set({ finding: change.finding, ...next })
        .where('id', '=', change.id)
        .execute()
      return
    case 'penalty':
      await trx
        .updateTable('penalties')
        .set({ penalty: change.penalty, ...next })
        .where('id', '=', change.id)
        .execute()
  }
}

/** A business found by the console's search: certified or a market entity. */
export interface RecordBusiness {
  uscc: string
  name: string
  countyCode: string
  certified: boolean
}

/**
 * Businesses whose code starts with, or whose name contains, `text` (certified ones first), in
 * `county` when given: the console's way into a record.
 */
export async function findRecordBusinesses(
  db: Kysely<Database>,
  filter: { text: string; county: string | null },
  limit: number,
): Promise<RecordBusiness[]> {
  const code = filter.text.toUpperCase()
  const pattern = escapeLike(filter.text)
  const certified = db
    .selectFrom('enterprises')
    .select(['uscc', 'name', 'countyCode', sql<boolean>`true`.as('certified')])
    .where((eb) => eb.or([eb('uscc', 'like', `${code}%`), eb('name', 'ilike', pattern)]))
    .$if(filter.county !== null, (q) => q.where('countyCode', '=', filter.county!))
  const entities = db
    .selectFrom('marketEntities')
    .select(['uscc', 'name', 'countyCode', sql<boolean>`false`.as('certified')])
    .where((eb) => eb.or([eb('uscc', 'like', `${code}%`), eb('name', 'ilike', pattern)]))
    .$if(filter.county !== null, (q) => q.where('countyCode', '=', filter.county!))
  return db
    .selectFrom(certified.unionAll(entities).as('b'))
    .selectAll()
    .orderBy('certified', 'desc')
    .orderBy('name')
    .orderBy('uscc')
    .limit(limit)
    .execute()
}

/**
 * Certified businesses (有效) with no commitment in force: 尚未签署承诺的诚信计量单位, in `county`
 * when given, in name order.
 */
export async function uncommittedBusinesses(
  db: Kysely<Database>,
  filter: { county: string | null },
  page: { offset: number; limit: number },
): Promise<{ items: RecordBusiness[]; total: number }> {
  const base = db
    .selectFrom('enterprises as e')
    .where('e.status', '=', 'active')
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('commitments as m')
            .select('m.id')
            .whereRef('m.uscc', '=', 'e.uscc')
            .where('m.withdrawnAt', 'is', null),
        ),
      ),
    )
    .$if(filter.county !== null, (q) => q.where('e.countyCode', '=', filter.county!))
  const [items, count] = await Promise.all([
    base
      .select(['e.uscc', 'e.name', 'e.countyCode', sql<boolean>`true`.as('certified')])
      .orderBy('e.name')
      .orderBy('e.uscc')
      .offset(page.offset)
      .limit(page.limit)
      .execute(),
    base.select((eb) => eb.fn.countAll<string>().as('total')).executeTakeFirstOrThrow(),
  ])
  return { items, total: Number(count.total) }
}
