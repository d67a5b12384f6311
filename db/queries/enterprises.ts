import { sql, type Kysely, type Transaction } from 'kysely'
import type { CreditGrade } from '../../api/domain/credit.ts'
import type { CertificationStatus, Database } from '../database.ts'

/** One business as the public sees it, with its county and sector names. */
export interface EnterpriseView {
  uscc: string
  name: string
  county: string
  countyName: string
  sector: string
  sectorName: string
  status: CertificationStatus
  statusSince: string
  certifiedAt: string
  validUntil: string
  address: string
  isDemo: boolean
  /** The current credit grade; null when none has been computed yet. */
  grade: CreditGrade | null
}

export interface EnterpriseFilter {
  county?: string | undefined
  sector?: string | undefined
  status?: CertificationStatus | undefined
  /** Plain substring of the name, address or credit code (the fallback when search is down). */
  text?: string | undefined
  /** The first characters of a credit code: answered from the primary key's order. */
  usccPrefix?: string | undefined
}

/** Businesses joined with their county and sector names, as every public view shows them. */
export function baseView(db: Kysely<Database>) {
  return db
    .selectFrom('enterprises as e')
    .innerJoin('counties as c', 'c.code', 'e.countyCode')
    .innerJoin('sectors as s', 's.code', 'e.sectorCode')
    .leftJoin('creditGrades as g', 'g.uscc', 'e.uscc')
    .select([
      'e.uscc',
      'e.name',
      'e.countyCode as county',
      'c.name as countyName',
      'e.sectorCode as sector',
      's.name as sectorName',
      'e.status',
      'e.statusSince',
      'e.certifiedAt',
      'e.validUntil',
      'e.address',
      'e.isDemo',
      'g.grade',
    ])
}

function filtered(db: Kysely<Database>, filter: EnterpriseFilter) {
  let query = baseView(db)
  if (filter.county) query = query.where('e.countyCode', '=', filter.county)
  if (filter.sector) query = query.where('e.sectorCode', '=', filter.sector)
  if (filter.status) query = query.where('e.status', '=', filter.status)
  if (filter.usccPrefix) {
    // Every code starting with the prefix sorts between prefix+'000…' and prefix+'YYY…' ('0' and
    // 'Y' are the smallest and largest characters of the GB 32100 alphabet): an index range scan.
    const prefix = filter.usccPrefix.slice(0, 18)
    query = query
      .where('e.uscc', '>=', prefix.padEnd(18, '0'))
      .where('e.uscc', '<=', prefix.padEnd(18, 'Y'))
  }
  if (filter.text) {
    const pattern = `%${filter.text.replace(/[\\%_]/g, (m) => `\\${m}`)}%`
    query = query.where((eb) =>
      eb.or([
        eb('e.name', 'ilike', pattern),
        eb('e.address', 'ilike', pattern),
        eb('e.uscc', 'ilike', pattern),
      ]),
    )
  }
  return query
}

export async function listEnterprises(
  db: Kysely<Database>,
  filter: EnterpriseFilter,
  page: { offset: number; limit: number },
): Promise<{ items: EnterpriseView[]; total: number }> {
  const listed = filter.usccPrefix
    ? // A code prefix lists in code order: the primary key's range scan stops after one page.
      filtered(db, filter).orderBy('e.uscc')
    : filtered(db, filter).orderBy('c.sortOrder').orderBy('e.name').orderBy('e.uscc')
  const [items, count] = await Promise.all([
    listed.offset(page.offset).limit(page.limit).execute(),
    filtered(db, filter)
      .clearSelect()
      .select((eb) => eb.fn.countAll<string>().as('total'))
      .executeTakeFirstOrThrow(),
  ])
  return { items, total: Number(count.total) }
}

/** The first businesses whose credit code starts with `prefix`, in code order, without a count. */
export function enterprisesByUsccPrefix(
  db: Kysely<Database>,
  prefix: string,
  limit: number,
): Promise<EnterpriseView[]> {
  return filtered(db, { usccPrefix: prefix }).orderBy('e.uscc').limit(limit).execute()
}

export async function findEnterprise(
  db: Kysely<Database>,
  uscc: string,
): Promise<EnterpriseView | undefined> {
  return baseView(db).where('e.uscc', '=', uscc).executeTakeFirst()
}

export async function findEnterprisesByUscc(
  db: Kysely<Database>,
  usccs: readonly string[],
): Promise<EnterpriseView[]> {
  if (usccs.length === 0) return []
  return baseView(db).where('e.uscc', 'in', usccs).execute()
}

/** Streams every business in credit-code order, `batchSize` at a time (keyset pagination). */
export async function* allEnterprises(
  db: Kysely<Database>,
  batchSize: number,
): AsyncGenerator<EnterpriseView[]> {
  let after = ''
  for (;;) {
    const batch = await baseView(db)
      .where('e.uscc', '>', after)
      .orderBy('e.uscc')
      .limit(batchSize)
      .execute()
    if (batch.length === 0) return
    yield batch
    after = batch[batch.length - 1]!.uscc
  }
}

export async function countEnterprises(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('enterprises')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

export async function certificationHistory(db: Kysely<Database>, uscc: string) {
  return db
    .selectFrom('certificationEvents')
    .select(['kind', 'occurredOn', 'validUntil', 'reason'])
    .where('uscc', '=', uscc)
    .orderBy('occurredOn', 'desc')
    .orderBy('id', 'desc')
    .execute()
}

/** Active certifications per county, for the home page's progress against the goal. */
export async function activeCountByCounty(db: Kysely<Database>) {
  return db
    .selectFrom('counties as c')
    .leftJoin('enterprises as e', (join) =>
      join.onRef('e.countyCode', '=', 'c.code').on('e.status', '=', 'active'),
    )
    .select(['c.code', 'c.name', (eb) => eb.fn.count<string>('e.uscc').as('active')])
    .groupBy(['c.code', 'c.name', 'c.sortOrder'])
    .orderBy('c.sortOrder')
    .execute()
}

export async function hasDemoData(db: Kysely<Database>): Promise<boolean> {
  const row = await db
    .selectFrom('enterprises')
    .select('uscc')
    .where('isDemo', '=', true)
    .limit(1)
    .executeTakeFirst()
  return row !== undefined
}

export async function listCounties(db: Kysely<Database>) {
  return db.selectFrom('counties').select(['code', 'name']).orderBy('sortOrder').execute()
}

export async function listSectors(db: Kysely<Database>) {
  return db.selectFrom('sectors').select(['code', 'name']).orderBy('sortOrder').execute()
}

/** The stored rows of these businesses, without locks (for a dry run that only compares). */
export async function findEnterpriseRows(db: Kysely<Database>, usccs: readonly string[]) {
  if (usccs.length === 0) return []
  return db.selectFrom('enterprises').selectAll().where('uscc', 'in', usccs).execute()
}

/** Locks the rows of these businesses for an import transaction. */
export async function lockEnterprises(trx: Transaction<Database>, usccs: readonly string[]) {
  if (usccs.length === 0) return []
  return trx.selectFrom('enterprises').selectAll().where('uscc', 'in', usccs).forUpdate().execute()
}

/** Marks every active certification whose validity ended before `today` as expired. */
export async function expireLapsed(trx: Transaction<Database>, today: string) {
  return trx
    .updateTable('enterprises')
    .set({ status: 'expired', statusSince: sql<string>`valid_until + 1`, updatedAt: new Date() })
    .where('status', '=', 'active')
    .where('validUntil', '<', today)
    .returning(['uscc', 'validUntil', 'statusSince'])
    .execute()
}
