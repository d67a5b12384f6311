import { sql, type Kysely, type Transaction } from 'kysely'
import { jsonArrayFrom } from 'kysely/helpers/postgres'
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
 * The records of several businesses at once, by the same statement as loadCreditRecord (which is
 * this with one code): one statement whatever the number of codes, each part of the record read
 * by its own index and aggregated as JSON in PostgreSQL, so a public lookup costs one round trip
 * and a grade recompute of many businesses a few. Every code asked for has a record, empty if
 * nothing is known.
 */
export async function loadCreditRecords(
  db: Kysely<Database>,
  usccs: readonly string[],
  today: string,
): Promise<Map<string, CreditRecord>> {
  const wanted = [...new Set(usccs)]
  const records = new Map<string, CreditRecord>()
  if (wanted.length === 0) return records
  const idText = (column: string) => sql<string>`${sql.ref(column)}::text`
  // The instruments checked at visit `v` (by the unique (visit_id, position) index), or those failed.
  const instrumentCount = (which: 'all' | 'failed') =>
    sql<number>`(SELECT count(*)::int FROM inspected_instruments i WHERE i.visit_id = v.id${
      which === 'failed' ? sql` AND NOT i.passed` : sql``
    })`
  const rows = await db
    // The codes as given (the answer's keys), and as the char(18) the indexes hold.
    .selectFrom(
      sql<{
        code: string
        uscc: string
      }>`(SELECT code, code::char(18) AS uscc FROM unnest(${wanted}::text[]) AS code)`.as('w'),
    )
    .select((eb) => [
      'w.code',
      eb
        .selectFrom('enterprises as e')
        .select('e.status')
        .whereRef('e.uscc', '=', 'w.uscc')
        .as('status'),
      // Newest first; the first one not struck by a correction is the business's commitment.
      jsonArrayFrom(
        eb
          .selectFrom('commitments as m')
          .select([idText('m.id').as('id'), 'm.textVersion', 'm.signedOn', 'm.signerRole'])
          .whereRef('m.uscc', '=', 'w.uscc')
          .where('m.withdrawnAt', 'is', null)
          .orderBy('m.signedOn', 'desc')
          .orderBy('m.id', 'desc'),
      ).as('commitments'),
      jsonArrayFrom(
        eb
          .selectFrom('inspectionVisits as v')
          .innerJoin('inspectionCampaigns as c', 'c.id', 'v.campaignId')
          .select([
            idText('v.id').as('id'),
            idText('v.campaignId').as('campaignId'),
            'c.title',
            'c.kind',
            'v.visitedOn',
            'v.result',
            'v.findings',
            'v.rectificationDue',
            'v.followUpOn',
            'v.followUpResult',
            instrumentCount('all').as('checked'),
            instrumentCount('failed').as('failed'),
          ])
          .whereRef('v.uscc', '=', 'w.uscc')
          .where('v.status', '!=', 'planned')
          .where('v.publishedAt', 'is not', null)
          .orderBy('v.visitedOn', 'desc')
          .orderBy('v.id', 'desc'),
      ).as('inspections'),
      // A case may name one business as the certified one and another as the merchant.
      jsonArrayFrom(
        eb
          .selectFrom('complaints as k')
          .select([
            idText('k.id').as('id'),
            'k.category',
            'k.finding',
            'k.followUp',
            beijingDay('k.closed_at').as('closedOn'),
          ])
          .where((k) =>
            k.or([
              k('k.enterpriseUscc', '=', k.ref('w.uscc')),
              k('k.merchantUscc', '=', k.ref('w.uscc')),
            ]),
          )
          .where('k.closedAt', 'is not', null)
          .where('k.finding', 'in', ['substantiated', 'partly_substantiated'])
          .orderBy('k.closedAt', 'desc')
          .orderBy('k.id', 'desc'),
      ).as('cases'),
      jsonArrayFrom(
        eb
          .selectFrom('penalties as p')
          .select([
            idText('p.id').as('id'),
            'p.decisionNo',
            'p.decidedOn',
            'p.kind',
            'p.violation',
            'p.penalty',
            'p.legalBasis',
            'p.publishUntil',
          ])
          .whereRef('p.uscc', '=', 'w.uscc')
          .where('p.publishedAt', 'is not', null)
          .where('p.takenDownAt', 'is', null)
          .where('p.publishUntil', '>=', today)
          .orderBy('p.decidedOn', 'desc')
          .orderBy('p.id', 'desc'),
      ).as('penalties'),
      jsonArrayFrom(
        eb
          .selectFrom('recordCorrections as r')
          .select([
            'r.itemKind',
            idText('r.itemId').as('itemId'),
            'r.effect',
            'r.note',
            beijingDay('r.corrected_at').as('correctedOn'),
          ])
          .whereRef('r.uscc', '=', 'w.uscc'),
      ).as('corrections'),
    ])
    .execute()
  for (const row of rows) {
    const correctionsByItem = new Map(row.corrections.map((c) => [`${c.itemKind}:${c.itemId}`, c]))
    const correctionOf = (kind: RecordItemKind, id: string): RecordCorrection | null => {
      const found = correctionsByItem.get(`${kind}:${id}`)
      return found
        ? { effect: found.effect, note: found.note, correctedOn: found.correctedOn }
        : null
    }
    const commitment = row.commitments.find(
      (c) => correctionOf('commitment', c.id)?.effect !== 'struck',
    )
    records.set(row.code, {
      uscc: row.code,
      certification: row.status ? { status: row.status } : null,
      commitment: commitment
        ? {
            textVersion: commitment.textVersion,
            signedOn: commitment.signedOn,
            signerRole: commitment.signerRole,
          }
        : null,
      inspections: row.inspections.map((v) => ({
        visitId: v.id,
        campaignId: v.campaignId,
        campaignTitle: v.title,
        kind: v.kind as CreditRecord['inspections'][number]['kind'],
        visitedOn: v.visitedOn!,
        result: v.result!,
        instrumentsChecked: v.checked,
        instrumentsFailed: v.failed,
        findings: v.findings,
        rectificationDue: v.rectificationDue,
        followUp:
          v.followUpOn && v.followUpResult ? { on: v.followUpOn, result: v.followUpResult } : null,
        correction: correctionOf('inspection', v.id),
      })),
      cases: row.cases.map((c) => ({
        caseId: c.id,
        closedOn: c.closedOn,
        category: c.category,
        finding: c.finding!,
        followUp: c.followUp ?? 'none',
        correction: correctionOf('case', c.id),
      })),
      penalties: row.penalties.map((p) => ({
        penaltyId: p.id,
        decisionNo: p.decisionNo,
        decidedOn: p.decidedOn,
        kind: p.kind,
        violation: p.violation,
        penalty: p.penalty,
        legalBasis: p.legalBasis,
        publishedUntil: p.publishUntil,
        correction: correctionOf('penalty', p.id),
      })),
    })
  }
  return records
}
