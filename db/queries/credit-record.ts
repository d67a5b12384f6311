import { sql, type Kysely, type Transaction } from 'kysely'
import {
  creditKey,
  creditRecomputeTopic,
  type CreditRecord,
  type RecordCorrection,
  type RecordItemKind,
} from '../../api/domain/credit.ts'
import type { CertificationStatus, Database } from '../database.ts'
import { enqueue } from './outbox.ts'

/** A business as the credit record names it: certified (on the list) or a market entity. */
export interface BusinessIdentity {
  uscc: string
  name: string
  countyCode: string
  sectorCode: string
  address: string
  /** The certification's status; null for a market entity not on the list (未认定). */
  certificationStatus: CertificationStatus | null
}

/** The business with this code, from the certified list first, else the market entities. */
export async function findBusiness(
  db: Kysely<Database>,
  uscc: string,
): Promise<BusinessIdentity | undefined> {
  const certified = await db
    .selectFrom('enterprises')
    .select(['uscc', 'name', 'countyCode', 'sectorCode', 'address', 'status'])
    .where('uscc', '=', uscc)
    .executeTakeFirst()
  if (certified) {
    const { status, ...identity } = certified
    return { ...identity, certificationStatus: status }
  }
  const entity = await db
    .selectFrom('marketEntities')
    .select(['uscc', 'name', 'countyCode', 'sectorCode', 'address'])
    .where('uscc', '=', uscc)
    .executeTakeFirst()
  return entity && { ...entity, certificationStatus: null }
}

/**
 * Records a business named in an inspection, a case or a penalty, unless it is already known
 * (on the certified list or as a market entity): the first name given stays until corrected.
 */
export async function ensureMarketEntity(
  trx: Transaction<Database>,
  entity: { uscc: string; name: string; countyCode: string; sectorCode: string; address?: string },
): Promise<void> {
  const listed = await trx
    .selectFrom('enterprises')
    .select('uscc')
    .where('uscc', '=', entity.uscc)
    .executeTakeFirst()
  if (listed) return
  await trx
    .insertInto('marketEntities')
    .values({ ...entity, address: entity.address ?? '' })
    .onConflict((oc) => oc.column('uscc').doNothing())
    .execute()
}

/**
 * Asks for the grade of these businesses to be computed again, in the same transaction as the
 * change to its inputs (the outbox worker does it within seconds, and never loses one).
 */
export async function enqueueCreditRecompute(
  trx: Transaction<Database>,
  usccs: readonly string[],
  source: string,
): Promise<void> {
  await enqueue(
    trx,
    [...new Set(usccs)].map((uscc) => ({
      topic: creditRecomputeTopic,
      aggregateKey: creditKey(uscc),
      payload: { uscc, source },
    })),
  )
}

const beijingDay = (column: string) =>
  sql<string>`to_char(${sql.ref(column)} AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')`

/**
 * A business's public credit record as of `today` (YYYY-MM-DD, Beijing): published inspections,
 * closed 查实/部分查实 cases naming it, penalties published and not taken down, its commitment,
 * each with the correction an upheld objection made. Nothing of a resident is read.
 */
export async function loadCreditRecord(
  db: Kysely<Database>,
  uscc: string,
  today: string,
): Promise<CreditRecord> {
  return (await loadCreditRecords(db, [uscc], today)).get(uscc)!
}

/**
 * The records of several businesses at once, by the same queries as loadCreditRecord (which is
 * this with one code): a grade recompute of many businesses reads them in a few statements
 * instead of seven per business. Every code asked for has a record, empty if nothing is known.
 */
export async function loadCreditRecords(
  db: Kysely<Database>,
  usccs: readonly string[],
  today: string,
): Promise<Map<string, CreditRecord>> {
  const wanted = [...new Set(usccs)]
  const records = new Map<string, CreditRecord>()
  if (wanted.length === 0) return records
  const [certified, commitments, inspections, instruments, cases, penalties, corrections] =
    await Promise.all([
      db.selectFrom('enterprises').select(['uscc', 'status']).where('uscc', 'in', wanted).execute(),
      db
        .selectFrom('commitments')
        .distinctOn('uscc')
        .select(['uscc', 'id', 'textVersion', 'signedOn', 'signerRole'])
        .where('uscc', 'in', wanted)
        .where('withdrawnAt', 'is', null)
        .orderBy('uscc')
        .orderBy('signedOn', 'desc')
        .orderBy('id', 'desc')
        .execute(),
      db
        .selectFrom('inspectionVisits as v')
        .innerJoin('inspectionCampaigns as c', 'c.id', 'v.campaignId')
        .select([
          'v.uscc',
          'v.id',
          'v.campaignId',
          'c.title',
          'c.kind',
          'v.visitedOn',
          'v.result',
          'v.findings',
          'v.rectificationDue',
          'v.followUpOn',
          'v.followUpResult',
        ])
        .where('v.uscc', 'in', wanted)
        .where('v.status', '!=', 'planned')
        .where('v.publishedAt', 'is not', null)
        .orderBy('v.visitedOn', 'desc')
        .orderBy('v.id', 'desc')
        .execute(),
      db
        .selectFrom('inspectedInstruments as i')
        .innerJoin('inspectionVisits as v', 'v.id', 'i.visitId')
        .select(['i.visitId', (eb) => eb.fn.countAll<string>().as('checked')])
        .select(sql<string>`count(*) FILTER (WHERE NOT i.passed)`.as('failed'))
        .where('v.uscc', 'in', wanted)
        .where('v.publishedAt', 'is not', null)
        .groupBy('i.visitId')
        .execute(),
      db
        .selectFrom('complaints')
        .select([
          'id',
          'enterpriseUscc',
          'merchantUscc',
          'category',
          'finding',
          'followUp',
          beijingDay('closed_at').as('closedOn'),
        ])
        .where((eb) =>
          eb.or([eb('enterpriseUscc', 'in', wanted), eb('merchantUscc', 'in', wanted)]),
        )
        .where('closedAt', 'is not', null)
        .where('finding', 'in', ['substantiated', 'partly_substantiated'])
        .orderBy('closedAt', 'desc')
        .orderBy('id', 'desc')
        .execute(),
      db
        .selectFrom('penalties')
        .select([
          'uscc',
          'id',
          'decisionNo',
          'decidedOn',
          'kind',
          'violation',
          'penalty',
          'legalBasis',
          'publishUntil',
        ])
        .where('uscc', 'in', wanted)
        .where('publishedAt', 'is not', null)
        .where('takenDownAt', 'is', null)
        .where('publishUntil', '>=', today)
        .orderBy('decidedOn', 'desc')
        .orderBy('id', 'desc')
        .execute(),
      db
        .selectFrom('recordCorrections')
        .select([
          'itemKind',
          'itemId',
          'effect',
          'note',
          beijingDay('corrected_at').as('correctedOn'),
        ])
        .where('uscc', 'in', wanted)
        .execute(),
    ])
  const correctionsByItem = new Map(corrections.map((c) => [`${c.itemKind}:${c.itemId}`, c]))
  const correctionOf = (kind: RecordItemKind, id: string): RecordCorrection | null => {
    const found = correctionsByItem.get(`${kind}:${id}`)
    return found ? { effect: found.effect, note: found.note, correctedOn: found.correctedOn } : null
  }
  const counts = new Map(instruments.map((i) => [i.visitId, i]))
  for (const uscc of wanted) {
    records.set(uscc, {
      uscc,
      certification: null,
      commitment: null,
      inspections: [],
      cases: [],
      penalties: [],
    })
  }
  const recordOf = (uscc: string) => records.get(uscc)!
  for (const c of certified) recordOf(c.uscc).certification = { status: c.status }
  for (const c of commitments) {
    if (correctionOf('commitment', c.id)?.effect === 'struck') continue
    recordOf(c.uscc).commitment = {
      textVersion: c.textVersion,
      signedOn: c.signedOn,
      signerRole: c.signerRole,
    }
  }
  for (const v of inspections) {
    recordOf(v.uscc).inspections.push({
      visitId: v.id,
      campaignId: v.campaignId,
      campaignTitle: v.title,
      kind: v.kind as CreditRecord['inspections'][number]['kind'],
      visitedOn: v.visitedOn!,
      result: v.result!,
      instrumentsChecked: Number(counts.get(v.id)?.checked ?? 0),
      instrumentsFailed: Number(counts.get(v.id)?.failed ?? 0),
      findings: v.findings,
      rectificationDue: v.rectificationDue,
      followUp:
        v.followUpOn && v.followUpResult ? { on: v.followUpOn, result: v.followUpResult } : null,
      correction: correctionOf('inspection', v.id),
    })
  }
  for (const c of cases) {
    // A case may name one business as the certified one and another as the merchant.
    for (const uscc of new Set([c.enterpriseUscc, c.merchantUscc])) {
      if (uscc === null || !records.has(uscc)) continue
      recordOf(uscc).cases.push({
        caseId: c.id,
        closedOn: c.closedOn,
        category: c.category,
        finding: c.finding!,
        followUp: c.followUp ?? 'none',
        correction: correctionOf('case', c.id),
      })
    }
  }
  for (const p of penalties) {
    recordOf(p.uscc).penalties.push({
      penaltyId: p.id,
      decisionNo: p.decisionNo,
      decidedOn: p.decidedOn,
      kind: p.kind,
      violation: p.violation,
      penalty: p.penalty,
      legalBasis: p.legalBasis,
      publishedUntil: p.publishUntil,
      correction: correctionOf('penalty', p.id),
    })
  }
  return records
}
