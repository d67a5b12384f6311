import type { Kysely } from 'kysely'
import type { Database, OutboxRow } from '../../db/database.ts'
import { findEnterprisesByUscc, type EnterpriseView } from '../../db/queries/enterprises.ts'
import { assertSucceeded, ensureIndex, type SearchClient } from './client.ts'
import type { EnterpriseDocument } from './enterprise-documents.ts'

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
  }
}

/**
 * The handler for enterprise changes. It reads the current rows from PostgreSQL rather than
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
    const current = await findEnterprisesByUscc(db, usccs)
    const index = search.meili.index<EnterpriseDocument>(search.indexName('enterprises'))
    if (current.length > 0) {
      assertSucceeded(await index.addDocuments(current.map(toEnterpriseDocument)).waitTask())
    }
    const gone = usccs.filter((u) => !current.some((e) => e.uscc === u))
    if (gone.length > 0) assertSucceeded(await index.deleteDocuments(gone).waitTask())
  }
}

export const enterpriseKey = (uscc: string) => `enterprise:${uscc}`
