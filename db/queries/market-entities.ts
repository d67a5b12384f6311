import type { Kysely } from 'kysely'
import type { CreditGrade } from '../../api/domain/credit.ts'
import type { Database } from '../database.ts'

/** A market entity (市场主体, not certified) as the public sees it, with county and sector names. */
export interface MarketEntityView {
  uscc: string
  name: string
  county: string
  countyName: string
  sector: string
  sectorName: string
  address: string
  isDemo: boolean
  grade: CreditGrade | null
}

/**
 * Market entities joined with their names and grade. One that has since been certified is left
 * out: the certified list speaks for it (findBusiness reads the list first, too).
 */
function entityView(db: Kysely<Database>) {
  return db
    .selectFrom('marketEntities as m')
    .innerJoin('counties as c', 'c.code', 'm.countyCode')
    .innerJoin('sectors as s', 's.code', 'm.sectorCode')
    .leftJoin('creditGrades as g', 'g.uscc', 'm.uscc')
    .where((eb) =>
      eb.not(
        eb.exists(
          eb.selectFrom('enterprises as e').select('e.uscc').whereRef('e.uscc', '=', 'm.uscc'),
        ),
      ),
    )
    .select([
      'm.uscc',
      'm.name',
      'm.countyCode as county',
      'c.name as countyName',
      'm.sectorCode as sector',
      's.name as sectorName',
      'm.address',
      'm.isDemo',
      'g.grade',
    ])
}

export async function marketEntitiesByUscc(
  db: Kysely<Database>,
  usccs: readonly string[],
): Promise<MarketEntityView[]> {
  if (usccs.length === 0) return []
  return entityView(db).where('m.uscc', 'in', usccs).execute()
}

/** The first market entities whose credit code starts with `prefix`, in code order. */
export function marketEntitiesByUsccPrefix(
  db: Kysely<Database>,
  prefix: string,
  limit: number,
): Promise<MarketEntityView[]> {
  const start = prefix.slice(0, 18)
  return entityView(db)
    .where('m.uscc', '>=', start.padEnd(18, '0'))
    .where('m.uscc', '<=', start.padEnd(18, 'Y'))
    .orderBy('m.uscc')
    .limit(limit)
    .execute()
}

/** Streams every market entity in credit-code order, `batchSize` at a time (keyset pagination). */
export async function* allMarketEntities(
  db: Kysely<Database>,
  batchSize: number,
): AsyncGenerator<MarketEntityView[]> {
  let after = ''
  for (;;) {
    const batch = await entityView(db)
      .where('m.uscc', '>', after)
      .orderBy('m.uscc')
      .limit(batchSize)
      .execute()
    if (batch.length === 0) return
    yield batch
    after = batch[batch.length - 1]!.uscc
  }
}

/** How many market entities the index and the site hold (those not on the certified list). */
export async function countMarketEntities(db: Kysely<Database>): Promise<number> {
  const row = await entityView(db)
    .clearSelect()
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}
