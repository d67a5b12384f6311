import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database } from '../../db/database.ts'
import { usccAlphabet, usccCheckCharacter } from '../../api/domain/uscc.ts'

/** A valid credit code of a company in `countyCode`, unique enough for one test database. */
function randomUscc(countyCode = '331102'): string {
  const tail = [...randomBytes(7)].map((b) => usccAlphabet[b % usccAlphabet.length]).join('')
  const first17 = `91${countyCode}MA${tail}`
  return first17 + usccCheckCharacter(first17)
}

/**
 * A drawn campaign with one visit of a market entity, as the draw leaves them (planned, with its
 * assigned inspectors): the draw itself is not what these tests are about.
 */
export async function insertDrawnVisit(
  db: Kysely<Database>,
  options: {
    countyCode: string
    inspectorIds: readonly string[]
    kind?: string
    uscc?: string
    name?: string
    startsOn?: string
    endsOn?: string
  },
): Promise<{ campaignId: string; visitId: string; uscc: string; name: string }> {
  const uscc = options.uscc ?? randomUscc(options.countyCode)
  const name = options.name ?? `抽查加油站 ${uscc.slice(-4)}`
  await db
    .insertInto('marketEntities')
    .values({
      uscc,
      name,
      countyCode: options.countyCode,
      sectorCode: 'fuel_station',
      address: '丽水市中山街 1 号',
    })
    .onConflict((oc) => oc.column('uscc').doNothing())
    .execute()
  const campaign = await db
    .insertInto('inspectionCampaigns')
    .values({
      title: `加油机专项检查 ${randomBytes(3).toString('hex')}`,
      kind: options.kind ?? 'fuel_dispenser',
      startsOn: options.startsOn ?? '2026-01-01',
      endsOn: options.endsOn ?? '2026-12-31',
      countyCodes: [options.countyCode],
      sectorCodes: ['fuel_station'],
      drawSize: 1,
      status: 'drawn',
      drawnAt: new Date(),
      drawSeed: randomBytes(16).toString('hex'),
      drawMethod: 'test/fixed',
      drawWeights: JSON.stringify({ A: 1, B: 2, C: 4, D: 8 }),
      drawPool: JSON.stringify([{ uscc, grade: 'B' }]),
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  const visit = await db
    .insertInto('inspectionVisits')
    .values({ campaignId: campaign.id, uscc, countyCode: options.countyCode, drawRank: 1 })
    .returning('id')
    .executeTakeFirstOrThrow()
  if (options.inspectorIds.length > 0) {
    await db
      .insertInto('visitInspectors')
      .values(options.inspectorIds.map((operatorId) => ({ visitId: visit.id, operatorId })))
      .execute()
  }
  return { campaignId: campaign.id, visitId: visit.id, uscc, name }
}
