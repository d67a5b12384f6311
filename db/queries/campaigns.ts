import { sql, type Kysely, type Transaction } from 'kysely'
import type { CreditGrade } from '../../api/domain/credit.ts'
import type { Database, DrawPoolEntry, InspectionCampaign } from '../database.ts'

// 专项检查 campaigns and their 双随机 draw (issue 22, point 3): the SQL of the console's campaign
// pages, the draw, recusals, publication (一公开) and the public campaign pages.

export interface NewCampaign {
  title: string
  kind: string
  startsOn: string
  endsOn: string
  countyCodes: string[]
  sectorCodes: string[]
  drawSize: number
  inspectorsPerVisit: number
  ownerCountyCode: string | null
  createdBy: string
}

export async function insertCampaign(trx: Transaction<Database>, c: NewCampaign): Promise<string> {
  const row = await trx
    .insertInto('inspectionCampaigns')
    .values(c)
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export const listInspectionKinds = (db: Kysely<Database>) =>
  db.selectFrom('inspectionKinds').select(['code', 'name']).orderBy('sortOrder').execute()

export async function findCampaign(
  db: Kysely<Database>,
  id: string,
): Promise<InspectionCampaign | undefined> {
  return db.selectFrom('inspectionCampaigns').selectAll().where('id', '=', id).executeTakeFirst()
}

/** The campaign row, locked for a draw or a publication. */
export async function lockCampaign(
  trx: Transaction<Database>,
  id: string,
): Promise<InspectionCampaign | undefined> {
  return trx
    .selectFrom('inspectionCampaigns')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst()
}

/** Counts per campaign of what the console flags (today: YYYY-MM-DD, Beijing). */
const overdueCounts = (today: string) => ({
  visits: sql<number>`count(v.id)::int`,
  recorded: sql<number>`count(v.id) FILTER (WHERE v.status <> 'planned')::int`,
  // A planned visit past the campaign's end.
  overduePlanned: sql<number>`count(v.id) FILTER (WHERE v.status = 'planned'
    AND c.ends_on < ${today}::date)::int`,
  // An order to rectify past its deadline with no follow-up recorded.
  overdueRectification: sql<number>`count(v.id) FILTER (WHERE v.status = 'rectifying'
    AND v.follow_up_on IS NULL AND v.rectification_due < ${today}::date)::int`,
})

/**
 * Campaigns in an operator's scope (county null: every one), newest first, with their visits'
 * counts and what is overdue. A county's operator sees every campaign covering its county.
 */
export async function listCampaigns(db: Kysely<Database>, county: string | null, today: string) {
  const counts = overdueCounts(today)
  let q = db
    .selectFrom('inspectionCampaigns as c')
    .leftJoin('inspectionVisits as v', 'v.campaignId', 'c.id')
    .select([
      'c.id',
      'c.title',
      'c.kind',
      'c.startsOn',
      'c.endsOn',
      'c.countyCodes',
      'c.status',
      'c.drawSize',
      'c.publishedAt',
    ])
    .select([
      counts.visits.as('visits'),
      counts.recorded.as('recorded'),
      counts.overduePlanned.as('overduePlanned'),
      counts.overdueRectification.as('overdueRectification'),
    ])
    .groupBy('c.id')
    .orderBy('c.startsOn', 'desc')
    .orderBy('c.id', 'desc')
    .limit(500)
  if (county !== null) q = q.where(sql<boolean>`${county}::char(6) = ANY (c.county_codes)`)
  return q.execute()
}

/** A business's name, from the certified list first, else the market entities. */
const businessName = sql<string>`coalesce(e.name, m.name, '')`

/** A campaign's visits in draw order, with the business's name and the inspectors' usernames. */
export async function campaignVisits(db: Kysely<Database>, campaignId: string) {
  const visits = await db
    .selectFrom('inspectionVisits as v')
    .leftJoin('enterprises as e', 'e.uscc', 'v.uscc')
    .leftJoin('marketEntities as m', 'm.uscc', 'v.uscc')
    .innerJoin('counties as co', 'co.code', 'v.countyCode')
    .select([
      'v.id',
      'v.uscc',
      'v.countyCode',
      'co.name as countyName',
      'v.drawRank',
      'v.status',
      'v.visitedOn',
      'v.result',
      'v.rectificationDue',
      'v.followUpOn',
      'v.followUpResult',
      'v.publishedAt',
    ])
    .select(businessName.as('name'))
    .where('v.campaignId', '=', campaignId)
    .orderBy('v.drawRank')
    .execute()
  const inspectors =
    visits.length === 0
      ? []
      : await db
          .selectFrom('visitInspectors as vi')
          .innerJoin('operators as o', 'o.id', 'vi.operatorId')
          .select(['vi.visitId', 'o.id', 'o.username'])
          .where(
            'vi.visitId',
            'in',
            visits.map((v) => v.id),
          )
          .orderBy('o.id')
          .execute()
  return visits.map((v) => ({
    ...v,
    inspectors: inspectors
      .filter((i) => i.visitId === v.id)
      .map((i) => ({ id: i.id, username: i.username })),
  }))
}

/**
 * The draw's pool: every business in these counties and sectors, certified and active on the
 * list or a market entity not on it, with its current grade (null: none yet).
 */
export async function drawPool(
  trx: Transaction<Database>,
  counties: readonly string[],
  sectors: readonly string[],
): Promise<Array<{ uscc: string; countyCode: string; grade: CreditGrade | null }>> {
  const certified = trx
    .selectFrom('enterprises as b')
    .select(['b.uscc', 'b.countyCode'])
    .where('b.status', '=', 'active')
    .where('b.countyCode', 'in', counties)
    .where('b.sectorCode', 'in', sectors)
  const entities = trx
    .selectFrom('marketEntities as b')
    .select(['b.uscc', 'b.countyCode'])
    .where('b.countyCode', 'in', counties)
    .where('b.sectorCode', 'in', sectors)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb.selectFrom('enterprises as e').select('e.uscc').whereRef('e.uscc', '=', 'b.uscc'),
        ),
      ),
    )
  return trx
    .selectFrom(certified.unionAll(entities).as('p'))
    .leftJoin('creditGrades as g', 'g.uscc', 'p.uscc')
    .select(['p.uscc', 'p.countyCode', 'g.grade'])
    .orderBy('p.uscc')
    .execute()
}

/** Who may be drawn as an inspector: enabled county handlers of these counties. */
export async function drawableInspectors(
  trx: Transaction<Database>,
  counties: readonly string[],
): Promise<Array<{ id: string; countyCode: string }>> {
  const rows = await trx
    .selectFrom('operators')
    .select(['id', 'countyCode'])
    .where('role', '=', 'county_handler')
    .where('disabledAt', 'is', null)
    .where('countyCode', 'in', counties)
    .orderBy('id')
    .execute()
  return rows.map((r) => ({ id: r.id, countyCode: r.countyCode! }))
}

export async function recusalsOf(trx: Transaction<Database>, usccs: readonly string[]) {
  if (usccs.length === 0) return []
  return trx
    .selectFrom('inspectorRecusals')
    .select(['operatorId', 'uscc'])
    .where('uscc', 'in', usccs)
    .execute()
}

/** Records the draw on the campaign and creates its visits with their inspectors. */
export async function recordDraw(
  trx: Transaction<Database>,
  campaignId: string,
  draw: {
    at: Date
    seed: string
    method: string
    weights: Record<CreditGrade, number>
    pool: DrawPoolEntry[]
    visits: Array<{ rank: number; uscc: string; countyCode: string; inspectorIds: string[] }>
  },
): Promise<void> {
  await trx
    .updateTable('inspectionCampaigns')
    .set((eb) => ({
      status: 'drawn',
      drawnAt: draw.at,
      drawSeed: draw.seed,
      drawMethod: draw.method,
      drawWeights: JSON.stringify(draw.weights),
      drawPool: JSON.stringify(draw.pool),
      version: eb('version', '+', 1),
      updatedAt: draw.at,
    }))
    .where('id', '=', campaignId)
    .execute()
  if (draw.visits.length === 0) return
  const ids = await trx
    .insertInto('inspectionVisits')
    .values(
      draw.visits.map((v) => ({
        campaignId,
        uscc: v.uscc,
        countyCode: v.countyCode,
        drawRank: v.rank,
      })),
    )
    .returning(['id', 'drawRank'])
    .execute()
  const idOf = new Map(ids.map((r) => [r.drawRank, r.id]))
  await trx
    .insertInto('visitInspectors')
    .values(
      draw.visits.flatMap((v) =>
        v.inspectorIds.map((operatorId) => ({ visitId: idOf.get(v.rank)!, operatorId })),
      ),
    )
    .execute()
}

/**
 * 公示: the campaign's public page exists from now. False when it was already published (by a
 * handler, or another worker's sweep a moment ago).
 */
export async function markCampaignPublished(
  trx: Transaction<Database>,
  campaignId: string,
  at: Date,
): Promise<boolean> {
  const updated = await trx
    .updateTable('inspectionCampaigns')
    .set((eb) => ({ publishedAt: at, version: eb('version', '+', 1), updatedAt: at }))
    .where('id', '=', campaignId)
    .where('publishedAt', 'is', null)
    .executeTakeFirst()
  return updated.numUpdatedRows > 0n
}

/**
 * Drawn campaigns not yet published whose end date has passed, with the day of their last
 * recorded visit (null when none): the sweep publishes them once their results are due.
 */
export async function unpublishedEndedCampaigns(db: Kysely<Database>, today: string) {
  return db
    .selectFrom('inspectionCampaigns as c')
    .leftJoin('inspectionVisits as v', 'v.campaignId', 'c.id')
    .select(['c.id', 'c.endsOn'])
    .select(sql<string | null>`to_char(max(v.visited_on), 'YYYY-MM-DD')`.as('lastVisitOn'))
    .where('c.status', '!=', 'planned')
    .where('c.publishedAt', 'is', null)
    .where('c.endsOn', '<', today)
    .groupBy('c.id')
    .orderBy('c.id')
    .execute()
}

export interface RecusalRow {
  operatorId: string
  username: string
  uscc: string
  name: string
  reason: string
  createdAt: Date
}

/** Recusals in force, of one operator or (null) everyone's. */
export async function listRecusals(
  db: Kysely<Database>,
  operatorId: string | null,
): Promise<RecusalRow[]> {
  let q = db
    .selectFrom('inspectorRecusals as r')
    .innerJoin('operators as o', 'o.id', 'r.operatorId')
    .leftJoin('enterprises as e', 'e.uscc', 'r.uscc')
    .leftJoin('marketEntities as m', 'm.uscc', 'r.uscc')
    .select(['r.operatorId', 'o.username', 'r.uscc', 'r.reason', 'r.createdAt'])
    .select(businessName.as('name'))
    .orderBy('r.createdAt', 'desc')
    .limit(1000)
  if (operatorId !== null) q = q.where('r.operatorId', '=', operatorId)
  return q.execute()
}

/** Adds a recusal; false when that operator had already recused from that business. */
export async function insertRecusal(
  trx: Transaction<Database>,
  r: { operatorId: string; uscc: string; reason: string },
): Promise<boolean> {
  const inserted = await trx
    .insertInto('inspectorRecusals')
    .values(r)
    .onConflict((oc) => oc.columns(['operatorId', 'uscc']).doNothing())
    .returning('uscc')
    .execute()
  return inserted.length === 1
}

/** Withdraws a recusal; false when there was none. */
export async function deleteRecusal(
  trx: Transaction<Database>,
  r: { operatorId: string; uscc: string },
): Promise<boolean> {
  const deleted = await trx
    .deleteFrom('inspectorRecusals')
    .where('operatorId', '=', r.operatorId)
    .where('uscc', '=', r.uscc)
    .executeTakeFirst()
  return deleted.numDeletedRows > 0n
}

export async function findOperatorScope(db: Kysely<Database>, id: string) {
  return db
    .selectFrom('operators')
    .select(['id', 'username', 'role', 'countyCode'])
    .where('id', '=', id)
    .executeTakeFirst()
}

/** Published campaigns, newest first, for the public list. */
export async function publishedCampaigns(db: Kysely<Database>) {
  return db
    .selectFrom('inspectionCampaigns as c')
    .innerJoin('inspectionKinds as k', 'k.code', 'c.kind')
    .leftJoin('inspectionVisits as v', 'v.campaignId', 'c.id')
    .select([
      'c.id',
      'c.title',
      'c.kind',
      'k.name as kindName',
      'c.startsOn',
      'c.endsOn',
      'c.countyCodes',
      'c.publishedAt',
    ])
    .select([
      sql<number>`count(v.id)::int`.as('visits'),
      sql<number>`count(v.id) FILTER (WHERE v.result = 'fail')::int`.as('failed'),
    ])
    .where('c.publishedAt', 'is not', null)
    .groupBy(['c.id', 'k.name'])
    .orderBy('c.publishedAt', 'desc')
    .orderBy('c.id', 'desc')
    .execute()
}

/** One published campaign with its kind's name; undefined when unknown or not yet published. */
export async function publishedCampaign(db: Kysely<Database>, id: string) {
  return db
    .selectFrom('inspectionCampaigns as c')
    .innerJoin('inspectionKinds as k', 'k.code', 'c.kind')
    .selectAll('c')
    .select('k.name as kindName')
    .where('c.id', '=', id)
    .where('c.publishedAt', 'is not', null)
    .executeTakeFirst()
}

/**
 * A published campaign's visits as the public sees them: the business (name, code, county), the
 * visit's date, result and rectification; a visit's result only once it is published. Nothing of
 * an inspector or a resident.
 */
export async function publicCampaignVisits(db: Kysely<Database>, campaignId: string) {
  return db
    .selectFrom('inspectionVisits as v')
    .leftJoin('enterprises as e', 'e.uscc', 'v.uscc')
    .leftJoin('marketEntities as m', 'm.uscc', 'v.uscc')
    .innerJoin('counties as co', 'co.code', 'v.countyCode')
    .leftJoin('recordCorrections as rc', (join) =>
      join.on('rc.itemKind', '=', 'inspection').onRef('rc.itemId', '=', 'v.id'),
    )
    .select(['v.id', 'v.uscc', 'co.name as countyName', 'v.drawRank'])
    .select(businessName.as('name'))
    .select(sql<boolean>`v.published_at IS NOT NULL AND v.status <> 'planned'`.as('hasResult'))
    .select(['v.visitedOn', 'v.result', 'v.rectificationDue', 'v.followUpOn', 'v.followUpResult'])
    .select(['rc.effect as correctionEffect', 'rc.note as correctionNote'])
    .where('v.campaignId', '=', campaignId)
    .orderBy('v.drawRank')
    .execute()
}
