import type { Kysely } from 'kysely'
import type { CreditGrade } from '../../api/domain/credit.ts'
import type { CertificationStatus, Database } from '../database.ts'
import { baseView, type EnterpriseView } from './enterprises.ts'

/** Every business, as the directory lists it, with its county's place in the list. */
function directoryView(db: Kysely<Database>) {
  return baseView(db).select('c.sortOrder as countyOrder')
}

/**
 * Streams every business in directory order (county, then name, then credit code), `batchSize`
 * at a time. Keyset pagination on that triple keeps each batch one index-friendly query however
 * long the list grows.
 */
export async function* enterprisesInDirectoryOrder(
  db: Kysely<Database>,
  batchSize: number,
): AsyncGenerator<EnterpriseView[]> {
  let after: { countyOrder: number; name: string; uscc: string } | undefined
  for (;;) {
    let query = directoryView(db)
    if (after) {
      const { countyOrder, name, uscc } = after
      query = query.where((eb) =>
        eb(eb.refTuple('c.sortOrder', 'e.name', 'e.uscc'), '>', eb.tuple(countyOrder, name, uscc)),
      )
    }
    const batch = await query
      .orderBy('c.sortOrder')
      .orderBy('e.name')
      .orderBy('e.uscc')
      .limit(batchSize)
      .execute()
    if (batch.length === 0) return
    const last = batch[batch.length - 1]!
    after = { countyOrder: last.countyOrder, name: last.name, uscc: last.uscc }
    yield batch
  }
}

/** The certification histories of several businesses at once, newest first within each. */
export async function certificationHistories(db: Kysely<Database>, usccs: readonly string[]) {
  if (usccs.length === 0) return []
  return db
    .selectFrom('certificationEvents')
    .select(['uscc', 'kind', 'occurredOn', 'validUntil', 'reason'])
    .where('uscc', 'in', usccs)
    .orderBy('uscc')
    .orderBy('occurredOn', 'desc')
    .orderBy('id', 'desc')
    .execute()
}

/**
 * How many businesses each county, sector, status and credit grade holds (any status for all but
 * the third).
 */
export async function directoryCounts(db: Kysely<Database>) {
  const [counties, sectors, statuses, grades] = await Promise.all([
    db
      .selectFrom('counties as c')
      .leftJoin('enterprises as e', 'e.countyCode', 'c.code')
      .select(['c.code', 'c.name', (eb) => eb.fn.count<string>('e.uscc').as('total')])
      .groupBy(['c.code', 'c.name', 'c.sortOrder'])
      .orderBy('c.sortOrder')
      .execute(),
    db
      .selectFrom('sectors as s')
      .leftJoin('enterprises as e', 'e.sectorCode', 's.code')
      .select(['s.code', 's.name', (eb) => eb.fn.count<string>('e.uscc').as('total')])
      .groupBy(['s.code', 's.name', 's.sortOrder'])
      .orderBy('s.sortOrder')
      .execute(),
    db
      .selectFrom('enterprises')
      .select(['status', (eb) => eb.fn.countAll<string>().as('total')])
      .groupBy('status')
      .execute(),
    db
      .selectFrom('enterprises as e')
      .innerJoin('creditGrades as g', 'g.uscc', 'e.uscc')
      .select(['g.grade', (eb) => eb.fn.countAll<string>().as('total')])
      .groupBy('g.grade')
      .execute(),
  ])
  const toNumber = <T extends { total: string }>(rows: T[]) =>
    rows.map((r) => ({ ...r, total: Number(r.total) }))
  return {
    counties: toNumber(counties),
    sectors: toNumber(sectors),
    statuses: toNumber(statuses) as Array<{ status: CertificationStatus; total: number }>,
    grades: toNumber(grades) as Array<{ grade: CreditGrade; total: number }>,
  }
}
