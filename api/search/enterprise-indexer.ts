import type { Kysely } from 'kysely'
import type { Database, OutboxRow } from '../../db/database.ts'
import { findEnterprisesByUscc, type EnterpriseView } from '../../db/queries/enterprises.ts'
import { marketEntitiesByUscc, type MarketEntityView } from '../../db/queries/market-entities.ts'
import { assertSucceeded, ensureIndex, type SearchClient } from './client.ts'
import type {
  BusinessDocument,
  EnterpriseDocument,
  MarketEntityDocument,
} from './enterprise-documents.ts'

/** Topic of the outbox messages that say "this business changed; refresh its search document". */
export const enterpriseChangedTopic = 'search.enterprise.changed'

export function toEnterpriseDocument(e: EnterpriseView): EnterpriseDocument {
  return {
    id: e.uscc,
    uscc: e.uscc,
    name: e.name,
    county: e.county,
    countyName: e.countyName,
    sector: e.sector,
    sectorName: e.sectorName,
    status: e.status,
    statusSince: e.statusSince,
    certifiedAt: e.certifiedAt,
    validUntil: e.validUntil,
    address: e.address,
    grade: e.grade,
    certified: true,
  }
}

export function toMarketEntityDocument(m: MarketEntityView): MarketEntityDocument {
  return {
    id: m.uscc,
    uscc: m.uscc,
    name: m.name,
    county: m.county,
    countyName: m.countyName,
    sector: m.sector,
    sectorName: m.sectorName,
    address: m.address,
    grade: m.grade,
    certified: false,
  }
}

/**
 * The handler for enterprise changes (certified businesses and market entities alike, with their
 * grade). It reads the current rows from PostgreSQL rather than
 * trusting the message, so a late or repeated message can never put an old state back. It waits
 * for Meilisearch's task result: a failed task throws, and the outbox retries the batch.
 */
export function enterpriseIndexer(db: Kysely<Database>, search: SearchClient) {
  let ensured = false
  return async (rows: OutboxRow[]) => {
    if (!ensured) {
      await ensureIndex(search, 'enterprises')
      ensured = true
    }
    const usccs = [...new Set(rows.map((r) => r.aggregateKey.replace(/^enterprise:/, '')))]
    const [certified, entities] = await Promise.all([
      findEnterprisesByUscc(db, usccs),
      marketEntitiesByUscc(db, usccs),
    ])
    const current: BusinessDocument[] = [
      ...certified.map(toEnterpriseDocument),
      ...entities.map(toMarketEntityDocument),
    ]
    const index = search.meili.index<BusinessDocument>(search.indexName('enterprises'))
    if (current.length > 0) {
      assertSucceeded(await index.addDocuments(current).waitTask())
    }
    const gone = usccs.filter((u) => !current.some((e) => e.uscc === u))
    if (gone.length > 0) assertSucceeded(await index.deleteDocuments(gone).waitTask())
  }
}

export const enterpriseKey = (uscc: string) => `enterprise:${uscc}`
