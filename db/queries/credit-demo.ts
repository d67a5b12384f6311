import type { Insertable, Transaction } from 'kysely'
import type {
  CommitmentTable,
  Database,
  InspectedInstrumentTable,
  InspectionCampaignTable,
  InspectionVisitTable,
  MarketEntityTable,
  PenaltyTable,
} from '../database.ts'

/** A visit of the demo campaign with the instruments checked on it. */
interface DemoVisit extends Omit<Insertable<InspectionVisitTable>, 'campaignId'> {
  instruments: Array<Omit<Insertable<InspectedInstrumentTable>, 'visitId'>>
}

export interface DemoCredit {
  marketEntities: Insertable<MarketEntityTable>[]
  commitments: Insertable<CommitmentTable>[]
  campaign: Insertable<InspectionCampaignTable>
  visits: DemoVisit[]
  penalties: Insertable<PenaltyTable>[]
}

/**
 * Writes the demo credit record (only ever into a database that holds the demo list): market
 * entities, commitments, one published campaign with its visits and instruments, and penalties; the
 * grades are computed by the rules afterwards.
 */
export async function insertDemoCredit(trx: Transaction<Database>, demo: DemoCredit) {
  if (demo.marketEntities.length > 0) {
    await trx.insertInto('marketEntities').values(demo.marketEntities).execute()
  }
  if (demo.commitments.length > 0) {
    await trx.insertInto('commitments').values(demo.commitments).execute()
  }
  const campaign = await trx
    .insertInto('inspectionCampaigns')
    .values(demo.campaign)
    .returning('id')
    .executeTakeFirstOrThrow()
  for (const { instruments, ...visit } of demo.visits) {
    const row = await trx
      .insertInto('inspectionVisits')
      .values({ ...visit, campaignId: campaign.id })
      .returning('id')
      .executeTakeFirstOrThrow()
    if (instruments.length > 0) {
      await trx
        .insertInto('inspectedInstruments')
        .values(instruments.map((i) => ({ ...i, visitId: row.id })))
        .execute()
    }
  }
  if (demo.penalties.length > 0) await trx.insertInto('penalties').values(demo.penalties).execute()
}
