import { sql, type Kysely, type Transaction, type Updateable } from 'kysely'
import type { Database } from '../database.ts'
import {
  openWarningStates,
  type WarningState,
  type WarningSubjectKind,
} from '../../api/domain/warnings.ts'
import type { WarningTable } from '../schema/warnings.ts'
import { isCaseOfWarning } from './warnings.ts'

// The warnings console (issue 24): what the list, a warning's page, its actions and the
// threshold settings read and write. Detection writes warnings elsewhere (warnings.ts).

export interface WarningScope {
  /**
   * A county operator sees its county and the city-wide warnings (county null); null for a
   * city-level operator, who sees every warning.
   */
  operatorCounty: string | null
  /** A city-level operator's chosen county (that county's warnings only). */
  county?: string | undefined
  state?: WarningState | undefined
}

function inScope(db: Kysely<Database>, scope: WarningScope) {
  let query = db.selectFrom('warnings as w').leftJoin('counties as co', 'co.code', 'w.countyCode')
  const own = scope.operatorCounty
  if (own !== null) {
    query = query.where((eb) =>
      eb.or([eb('w.countyCode', '=', own), eb('w.countyCode', 'is', null)]),
    )
  }
  if (scope.county) query = query.where('w.countyCode', '=', scope.county)
  if (scope.state) query = query.where('w.state', '=', scope.state)
  return query
}

function warningView(db: Kysely<Database>, scope: WarningScope) {
  return inScope(db, scope).selectAll('w').select(['co.name as countyName'])
}

export type WarningRow = Awaited<ReturnType<ReturnType<typeof warningView>['execute']>>[number]

/**
 * One page of warnings in scope: open and acknowledged ones before closed ones, then the most
 * severe, then the latest fired.
 */
export async function listWarnings(
  db: Kysely<Database>,
  scope: WarningScope,
  page: { offset: number; limit: number },
): Promise<{ items: WarningRow[]; total: number }> {
  const [items, count] = await Promise.all([
    warningView(db, scope)
      .orderBy(sql`(w.state in ('open', 'acknowledged'))`, 'desc')
      .orderBy('w.severity', 'desc')
      .orderBy('w.firedAt', 'desc')
      .orderBy('w.id', 'desc')
      .offset(page.offset)
      .limit(page.limit)
      .execute(),
    inScope(db, scope)
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow(),
  ])
  return { items, total: Number(count.n) }
}

/** How many warnings in scope still need someone (open or acknowledged). */
export async function countOpenWarnings(
  db: Kysely<Database>,
  operatorCounty: string | null,
): Promise<number> {
  const row = await inScope(db, { operatorCounty })
    .where('w.state', 'in', openWarningStates)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

export async function findWarning(db: Kysely<Database>, id: string) {
  return warningView(db, { operatorCounty: null }).where('w.id', '=', id).executeTakeFirst()
}

export async function lockWarning(trx: Transaction<Database>, id: string) {
  return trx.selectFrom('warnings').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
}

/**
 * Writes `changes` and the next version only if the warning is still at `version`: false means
 * someone else changed it first.
 */
export async function updateWarningAtVersion(
  trx: Transaction<Database>,
  id: string,
  version: number,
  changes: Updateable<WarningTable>,
): Promise<boolean> {
  const result = await trx
    .updateTable('warnings')
    .set({ ...changes, version: sql<number>`version + 1`, updatedAt: sql<Date>`now()` })
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst()
  return result.numUpdatedRows === 1n
}

/**
 * A warning's cases as evidence: tracking number, dates, category, status. Never a resident's
 * name, phone or words.
 */
export async function casesOfWarning(db: Kysely<Database>, warningId: string) {
  return db
    .selectFrom('warnings as w')
    .innerJoin('complaintSubjects as cs', (join) => join.on(isCaseOfWarning))
    .innerJoin('complaints as c', 'c.id', 'cs.complaintId')
    .select(['c.id', 'c.trackingNo', 'c.receivedAt', 'c.category', 'c.status', 'c.kind'])
    .where('w.id', '=', warningId)
    .orderBy('c.receivedAt', 'desc')
    .orderBy('c.id', 'desc')
    .execute()
}

/** The warnings a case is evidence of, the latest first. */
export async function warningsOfCase(db: Kysely<Database>, complaintId: string) {
  return db
    .selectFrom('complaintSubjects as cs')
    .innerJoin('warnings as w', (join) => join.on(isCaseOfWarning))
    .select([
      'w.id',
      'w.subjectKind',
      'w.subjectLabel',
      'w.countyCode',
      'w.severity',
      'w.state',
      'w.firedAt',
    ])
    .where('cs.complaintId', '=', complaintId)
    .orderBy('w.firedAt', 'desc')
    .execute()
}

export async function listThresholds(db: Kysely<Database>) {
  return db
    .selectFrom('warningThresholds as t')
    .leftJoin('counties as co', 'co.code', 't.countyCode')
    .leftJoin('operators as o', 'o.id', 't.updatedBy')
    .selectAll('t')
    .select(['co.name as countyName', 'o.username as updatedByUsername'])
    .orderBy('t.subjectKind')
    .orderBy(sql`t.county_code nulls first`)
    .execute()
}

export type ThresholdRow = Awaited<ReturnType<typeof listThresholds>>[number]

export interface ThresholdValues {
  subjectKind: WarningSubjectKind
  countyCode: string | null
  windowHours: number
  minCount: number
  severity: 1 | 2 | 3
  updatedBy: string
}

/**
 * Sets the threshold of a kind for a county (or the whole city): one row per pair, replaced when
 * set again. Returns the row's id and what it held before (undefined for a new one).
 */
export async function upsertThreshold(trx: Transaction<Database>, values: ThresholdValues) {
  const before = await trx
    .selectFrom('warningThresholds')
    .selectAll()
    .where('subjectKind', '=', values.subjectKind)
    .where(sql<string>`coalesce(county_code, '')`, '=', values.countyCode ?? '')
    .forUpdate()
    .executeTakeFirst()
  const changes = {
    windowHours: values.windowHours,
    minCount: values.minCount,
    severity: values.severity,
    updatedBy: values.updatedBy,
    updatedAt: sql<Date>`now()`,
  }
  if (before) {
    await trx.updateTable('warningThresholds').set(changes).where('id', '=', before.id).execute()
    return { id: before.id, before }
  }
  const row = await trx
    .insertInto('warningThresholds')
    .values({ ...changes, subjectKind: values.subjectKind, countyCode: values.countyCode })
    .onConflict((oc) =>
      oc.expression(sql`subject_kind, coalesce(county_code, '')`).doUpdateSet(changes),
    )
    .returning('id')
    .executeTakeFirstOrThrow()
  return { id: row.id, before: undefined }
}

/** Removes a threshold: the row it was, or undefined when there was none. */
export async function deleteThreshold(trx: Transaction<Database>, id: string) {
  return trx.deleteFrom('warningThresholds').where('id', '=', id).returningAll().executeTakeFirst()
}
