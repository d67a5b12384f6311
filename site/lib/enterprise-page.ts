import {
  allEnterprisesWithHistory,
  type EnterpriseWithHistory,
} from '../../api/services/directory/all.ts'
import { beijingDate } from '../../api/domain/beijing-time.ts'
import {
  marketEntityPages,
  publicRecordsOf,
  recordHolders,
  type MarketEntity,
  type PublicRecord,
} from '../../api/services/credit/public-record.ts'
import type { CertificationStatus } from '../../db/database.ts'
import { chineseDate } from './format.ts'
import { serviceContext } from './services.ts'

/** A business page: a certified business with its history, or a market entity (未认定). */
export type BusinessPageProps =
  | { kind: 'certified'; enterprise: EnterpriseWithHistory; record: PublicRecord }
  | { kind: 'entity'; entity: MarketEntity; record: PublicRecord }

/**
 * One prerendered page per business, certified or market entity, with all its data fetched up
 * front in batches. Market entities are prerendered too: they are businesses named in an
 * inspection, a substantiated case or a penalty, a few hundred a year in the city, so certified
 * and uncertified together stay far below the tens of thousands the build handles (DESIGN.md
 * section 2). The full credit record is read only for businesses that have one.
 */
export async function enterprisePaths() {
  const ctx = serviceContext()
  const today = beijingDate()
  const withRecord = await recordHolders({ ctx })
  const paths: Array<{ params: { uscc: string }; props: BusinessPageProps }> = []
  for await (const batch of allEnterprisesWithHistory({
    ctx,
    input: { batchSize: 1000 },
  })) {
    const records = await publicRecordsOf({
      ctx,
      input: { businesses: batch, withRecord, today },
    })
    batch.forEach((enterprise, i) =>
      paths.push({
        params: { uscc: enterprise.uscc },
        props: { kind: 'certified', enterprise, record: records[i]! },
      }),
    )
  }
  for await (const batch of marketEntityPages({ ctx, input: { batchSize: 1000 } })) {
    const records = await publicRecordsOf({
      ctx,
      input: { businesses: batch, withRecord, today },
    })
    batch.forEach((entity, i) =>
      paths.push({
        params: { uscc: entity.uscc },
        props: { kind: 'entity', entity, record: records[i]! },
      }),
    )
  }
  return paths
}

export interface StatusNotice {
  title: string
  reason: string | null
}

/**
 * What a citizen must see first on the page of a business that is no longer certified: the
 * plaque at its counter may still be up.
 */
export function statusNotice(
  e: Pick<EnterpriseWithHistory, 'status' | 'statusSince' | 'validUntil'> & {
    history: readonly { kind: string; reason: string | null }[]
  },
): StatusNotice | null {
  if (e.status === 'active') return null
  const reason = e.history.find((h) => h.kind === e.status)?.reason ?? null
  switch (e.status) {
    case 'revoked':
      return { title: `该单位的诚信计量认定已于 ${e.statusSince} 撤销`, reason }
    case 'suspended':
      return { title: `该单位的诚信计量认定自 ${e.statusSince} 起暂停`, reason }
    case 'expired':
      return {
        title: `该单位的诚信计量认定已于 ${e.statusSince} 过期（原有效期至 ${e.validUntil}）`,
        reason,
      }
  }
}

/** The one plain sentence a business's page and the plaque check lead with (tone picks colour). */
export interface PlainAnswer {
  tone: CertificationStatus | 'uncertified'
  sentence: string
}

/**
 * "Is this a certified business, and until when?" answered in one sentence. Only a current
 * certification names a validity date as its answer; a revoked, suspended or expired one names
 * the day it stopped, and its old validity date appears only as history (原有效期至).
 */
export function plainAnswer(
  e: Pick<EnterpriseWithHistory, 'status' | 'statusSince' | 'validUntil'> | null,
): PlainAnswer {
  if (!e) return { tone: 'uncertified', sentence: '未认定诚信计量单位' }
  switch (e.status) {
    case 'active':
      return {
        tone: e.status,
        sentence: `是丽水市诚信计量单位，有效期至${chineseDate(e.validUntil)}`,
      }
    case 'revoked':
      return {
        tone: e.status,
        sentence: `已撤销诚信计量单位认定（${chineseDate(e.statusSince)}）`,
      }
    case 'suspended':
      return {
        tone: e.status,
        sentence: `已暂停诚信计量单位认定（${chineseDate(e.statusSince)}起）`,
      }
    case 'expired':
      return {
        tone: e.status,
        sentence: `已过期：诚信计量单位认定于${chineseDate(e.validUntil)}到期`,
      }
  }
}
