import { sql, type Kysely, type Transaction, type Updateable } from 'kysely'
import type { Database, InspectionVisitTable } from '../database.ts'

/**
 * One drawn visit with what the console shows around it: its campaign, the business (from the
 * certified list, else the market entities) and the county's name.
 */
export async function findVisit(db: Kysely<Database>, id: string) {
  return db
    .selectFrom('inspectionVisits as v')
    .innerJoin('inspectionCampaigns as c', 'c.id', 'v.campaignId')
    .innerJoin('counties as co', 'co.code', 'v.countyCode')
    .leftJoin('enterprises as e', 'e.uscc', 'v.uscc')
    .leftJoin('marketEntities as m', 'm.uscc', 'v.uscc')
    .select([
      'v.id',
      'v.campaignId',
      'v.uscc',
      'v.countyCode',
      'co.name as countyName',
      'v.drawRank',
      'v.status',
      'v.visitedOn',
      'v.result',
      'v.findings',
      'v.rectificationDue',
      'v.followUpOn',
      'v.followUpResult',
      'v.followUpNote',
      'v.recordedAt',
      'v.publishedAt',
      'v.version',
      'c.title as campaignTitle',
      'c.kind as campaignKind',
      'c.startsOn as campaignStartsOn',
      'c.endsOn as campaignEndsOn',
      'c.status as campaignStatus',
    ])
    .select((eb) => [
      eb.fn.coalesce('e.name', 'm.name').as('businessName'),
      eb.fn.coalesce('e.address', 'm.address').as('businessAddress'),
    ])
    .where('v.id', '=', id)
    .executeTakeFirst()
}

export type VisitRow = NonNullable<Awaited<ReturnType<typeof findVisit>>>

/** The inspectors the draw assigned to a visit, and whether the record says they went. */
export async function visitInspectors(db: Kysely<Database>, visitId: string) {
  return db
    .selectFrom('visitInspectors as vi')
    .innerJoin('operators as o', 'o.id', 'vi.operatorId')
    .select(['vi.operatorId', 'o.username', 'vi.present'])
    .where('vi.visitId', '=', visitId)
    .orderBy('o.username')
    .execute()
}

export async function visitInstruments(db: Kysely<Database>, visitId: string) {
  return db
    .selectFrom('inspectedInstruments')
    .select([
      'position',
      'instrumentKind',
      'makerModel',
      'serialNo',
      'verificationValid',
      'passed',
      'measuredError',
    ])
    .where('visitId', '=', visitId)
    .orderBy('position')
    .execute()
}

export async function visitPhotos(db: Kysely<Database>, visitId: string) {
  return db
    .selectFrom('visitPhotos')
    .select(['id', 'position', 'contentType', 'originalName'])
    .where('visitId', '=', visitId)
    .orderBy('position')
    .execute()
}

/** What a save decides on, read under the row's lock so two saves are decided one after the other. */
export async function lockVisit(trx: Transaction<Database>, id: string) {
  return trx
    .selectFrom('inspectionVisits as v')
    .innerJoin('inspectionCampaigns as c', 'c.id', 'v.campaignId')
    .select([
      'v.id',
      'v.uscc',
      'v.countyCode',
      'v.status',
      'v.visitedOn',
      'v.result',
      'v.findings',
      'v.rectificationDue',
      'v.followUpOn',
      'v.followUpResult',
      'v.followUpNote',
      'v.recordedAt',
      'v.version',
      'v.campaignId',
      'c.startsOn as campaignStartsOn',
      'c.status as campaignStatus',
    ])
    .where('v.id', '=', id)
    .forUpdate('v')
    .executeTakeFirst()
}

/** Writes the visit with the next version only if it is still at `version`. */
export async function updateVisitAtVersion(
  trx: Transaction<Database>,
  id: string,
  version: number,
  changes: Updateable<InspectionVisitTable>,
): Promise<boolean> {
  const result = await trx
    .updateTable('inspectionVisits')
    .set({ ...changes, version: sql<number>`version + 1`, updatedAt: sql<Date>`now()` })
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst()
  return result.numUpdatedRows === 1n
}

/** Replaces a visit's instruments and marks which assigned inspectors were present. */
export async function replaceVisitDetails(
  trx: Transaction<Database>,
  visitId: string,
  details: {
    presentOperatorIds: readonly string[]
    instruments: readonly {
      instrumentKind: string
      makerModel: string
      serialNo: string
      verificationValid: boolean
      passed: boolean
      measuredError: string
    }[]
  },
): Promise<void> {
  await trx.deleteFrom('inspectedInstruments').where('visitId', '=', visitId).execute()
  if (details.instruments.length > 0) {
    await trx
      .insertInto('inspectedInstruments')
      .values(details.instruments.map((i, index) => ({ ...i, visitId, position: index + 1 })))
      .execute()
  }
  const present = [...details.presentOperatorIds]
  await trx
    .updateTable('visitInspectors')
    .set({
      present:
        present.length === 0
          ? sql<boolean>`false`
          : sql<boolean>`operator_id = ANY(${present}::bigint[])`,
    })
    .where('visitId', '=', visitId)
    .execute()
}

/** The next free photo positions of a visit, counting the photos it has. */
export async function visitPhotoCount(trx: Transaction<Database>, visitId: string) {
  const row = await trx
    .selectFrom('visitPhotos')
    .select([
      (eb) => eb.fn.countAll<string>().as('count'),
      (eb) => eb.fn.max<number | null>('position').as('last'),
    ])
    .where('visitId', '=', visitId)
    .executeTakeFirstOrThrow()
  return { count: Number(row.count), last: row.last ?? 0 }
}

export async function insertVisitPhotos(
  trx: Transaction<Database>,
  rows: readonly {
    visitId: string
    position: number
    storageKey: string
    contentType: string
    sizeBytes: number
    sha256: string
    originalName: string
  }[],
): Promise<void> {
  if (rows.length === 0) return
  await trx
    .insertInto('visitPhotos')
    .values([...rows])
    .execute()
}

/** A visit photo with its visit's county, to decide who may see it. */
export async function findVisitPhoto(db: Kysely<Database>, photoId: string) {
  return db
    .selectFrom('visitPhotos as p')
    .innerJoin('inspectionVisits as v', 'v.id', 'p.visitId')
    .select(['p.id', 'p.visitId', 'p.storageKey', 'p.contentType', 'v.countyCode', 'v.uscc'])
    .where('p.id', '=', photoId)
    .executeTakeFirst()
}

/** Whether the operator is one of the visit's assigned inspectors. */
export async function isVisitInspector(
  db: Kysely<Database>,
  visitId: string,
  operatorId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('visitInspectors')
    .select('operatorId')
    .where('visitId', '=', visitId)
    .where('operatorId', '=', operatorId)
    .executeTakeFirst()
  return row !== undefined
}
