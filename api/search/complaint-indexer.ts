import type { Kysely } from 'kysely'
import type { Database, OutboxRow } from '../../db/database.ts'
import { complaintsForIndex, type IndexedComplaintRow } from '../../db/queries/complaints.ts'
import { maskPersonalNumbers } from '../domain/masks.ts'
import { assertSucceeded, ensureIndex, type SearchClient } from './client.ts'

/** Topic of the outbox messages that say "this complaint changed; refresh its private document". */
export const complaintChangedTopic = 'search.complaint.changed'

export const complaintKey = (id: string) => `complaint:${id}`

/** The complaint id a message of complaintChangedTopic is about. */
export const complaintIdOf = (row: Pick<OutboxRow, 'aggregateKey'>) =>
  row.aggregateKey.replace(/^complaint:/, '')

/**
 * A complaint in the private `complaints` index, for handlers only. It never holds the name, the
 * phone or its hash; phone and ID numbers typed into the business, the address or the description
 * are masked too (api/domain/masks.ts), so nobody finds a case by searching a number in it.
 */
export interface ComplaintDocument {
  id: string
  trackingNo: string
  kind: string
  category: string
  channel: string
  county: string
  countyName: string
  merchantName: string
  merchantUscc: string | null
  enterpriseUscc: string | null
  address: string
  description: string
  status: string
  /** Seconds since the epoch, for range filters and sorting. */
  receivedAt: number
  dueAt: number
  /** 0 normal, 1 urged, 2 supervised by the 12345 hotline: the queue sorts on it first. */
  priority: number
}

export function toComplaintDocument(row: IndexedComplaintRow): ComplaintDocument {
  return {
    id: row.id,
    trackingNo: row.trackingNo,
    kind: row.kind,
    category: row.category,
    channel: row.channel,
    county: row.countyCode,
    countyName: row.countyName,
    merchantName: maskPersonalNumbers(row.merchantName),
    merchantUscc: row.merchantUscc,
    enterpriseUscc: row.enterpriseUscc,
    address: maskPersonalNumbers(row.address),
    description: maskPersonalNumbers(row.description),
    status: row.status,
    receivedAt: Math.floor(row.receivedAt.getTime() / 1000),
    dueAt: Math.floor(row.dueAt.getTime() / 1000),
    priority: row.priority,
  }
}

/**
 * The handler for complaint changes: reads the current rows (a late or repeated message cannot put
 * an old state back) and waits for Meilisearch's verdict, so a failed task is retried.
 */
export function complaintIndexer(db: Kysely<Database>, search: SearchClient) {
  let ensured = false
  return async (rows: OutboxRow[]) => {
    if (!ensured) {
      await ensureIndex(search, 'complaints')
      ensured = true
    }
    const ids = [...new Set(rows.map(complaintIdOf))]
    const current = await complaintsForIndex(db, ids)
    const index = search.meili.index<ComplaintDocument>(search.indexName('complaints'))
    if (current.length > 0) {
      assertSucceeded(await index.addDocuments(current.map(toComplaintDocument)).waitTask())
    }
    const found = new Set(current.map((c) => c.id))
    const gone = ids.filter((id) => !found.has(id))
    if (gone.length > 0) assertSucceeded(await index.deleteDocuments(gone).waitTask())
  }
}
