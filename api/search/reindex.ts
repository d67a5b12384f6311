import path from 'node:path'
import type { Kysely } from 'kysely'
import type { Meilisearch } from 'meilisearch'
import type { Logger } from 'pino'
import type { Database } from '../../db/database.ts'
import {
  allUsccs,
  changeWatermark,
  enterprisesChangedSince,
} from '../../db/queries/enterprise-changes.ts'
import { allEnterprises, countEnterprises } from '../../db/queries/enterprises.ts'
import {
  complaintIdsAfter,
  complaintIdsChangedSince,
  complaintsForIndex,
  countComplaints,
} from '../../db/queries/complaints.ts'
import { toComplaintDocument, type ComplaintDocument } from './complaint-indexer.ts'
import {
  assertSucceeded,
  ensureIndex,
  indexKinds,
  type IndexKind,
  type SearchClient,
} from './client.ts'
import type { BusinessDocument, EnterpriseDocument } from './enterprise-documents.ts'
import { toEnterpriseDocument, toMarketEntityDocument } from './enterprise-indexer.ts'
import {
  allMarketEntities,
  countMarketEntities,
  marketEntitiesByUscc,
} from '../../db/queries/market-entities.ts'
import { readNotices } from './notices.ts'

/** Where the notices live: files, not rows (content/notices/*.md). */
const defaultNoticesDir = path.resolve(import.meta.dirname, '../../content/notices')

/** Marks the temporary indexes of a rebuild: `<live>__rebuild_<UTC timestamp>`. */
const rebuildMarker = '__rebuild_'

export interface ReindexProgress {
  kind: IndexKind
  /** Documents written into the fresh index so far, and how many there are to write. */
  done: number
  total: number
}

export interface IndexCount {
  kind: IndexKind
  /** Documents in the source of truth: PostgreSQL rows or notice files. */
  source: number
  /** Documents in the live index after the swap. */
  indexed: number
  consistent: boolean
}

export interface ReindexResult {
  counts: IndexCount[]
  /** Businesses written to the live index after the swap because they changed during the rebuild. */
  caughtUp: { upserted: number; deleted: number }
  consistent: boolean
}

export interface ReindexOptions {
  db: Kysely<Database>
  search: SearchClient
  logger: Logger
  onProgress?: (progress: ReindexProgress) => void
  /** Rows read from PostgreSQL and sent to Meilisearch at a time. */
  batchSize?: number
  noticesDir?: string
  /** The indexes to rebuild; all of them unless named. */
  kinds?: readonly IndexKind[]
}

/** Every index uid on the server, page by page. */
async function indexUids(meili: Meilisearch): Promise<string[]> {
  const uids: string[] = []
  for (let offset = 0; ; offset += 200) {
    const page = await meili.getIndexes({ offset, limit: 200 })
    uids.push(...page.results.map((i) => i.uid))
    if (page.results.length < 200) return uids
  }
}

/**
 * Writes batches into an index with one task in flight while the next batch is read, so
 * PostgreSQL and Meilisearch work at the same time; every task's verdict is still awaited and a
 * failed one throws.
 */
function pipelinedWriter(search: SearchClient, uid: string) {
  const index = search.meili.index<BusinessDocument | ComplaintDocument>(uid)
  let inFlight: Promise<unknown> = Promise.resolve()
  return {
    async write(documents: BusinessDocument[] | ComplaintDocument[]) {
      const enqueued = index.addDocuments(documents)
      await enqueued
      await inFlight
      inFlight = enqueued.waitTask().then(assertSucceeded)
      // Awaited on the next write or in flush(); until then a failure must not count as unhandled.
      inFlight.catch(() => undefined)
    },
    flush: () => inFlight,
  }
}

/**
 * Puts `fresh` in place of `live` atomically: searches see either the old or the new contents,
 * never an empty or missing index. Afterwards the old contents (now under `fresh`) are deleted.
 */
async function swapIn(search: SearchClient, live: string, fresh: string) {
  const existing = new Set(await indexUids(search.meili))
  if (existing.has(live)) {
    const swapped = await search.meili
      .swapIndexes([{ indexes: [live, fresh], rename: false }])
      .waitTask()
    assertSucceeded(swapped)
    assertSucceeded(await search.meili.deleteIndex(fresh).waitTask())
  } else {
    // No live index yet (first run on a new server): the fresh one simply takes its name.
    const renamed = await search.meili
      .swapIndexes([{ indexes: [fresh, live], rename: true }])
      .waitTask()
    assertSucceeded(renamed)
  }
}

async function documentCount(search: SearchClient, uid: string) {
  return (await search.meili.index(uid).getStats()).numberOfDocuments
}

/** The live index's document count against its source's. */
async function compareCounts(
  search: SearchClient,
  kind: IndexKind,
  source: number,
): Promise<IndexCount> {
  const indexed = await documentCount(search, search.indexName(kind))
  return { kind, source, indexed, consistent: source === indexed }
}

/**
 * Rebuilds the enterprises index from PostgreSQL. Rows are read in credit-code order while
 * writers carry on; whatever they commit after the watermark is written again to the live index
 * after the swap, and businesses whose rows vanished meanwhile are removed.
 */
async function rebuildEnterprises(options: ReindexOptions, fresh: string) {
  const { db, search, logger, onProgress } = options
  const live = search.indexName('enterprises')
  const since = await changeWatermark(db)
  // Certified businesses and market entities (市场主体) share the index: a search finds both.
  const total = (await countEnterprises(db)) + (await countMarketEntities(db))
  const writer = pipelinedWriter(search, fresh)
  const indexed = new Set<string>()
  let done = 0
  onProgress?.({ kind: 'enterprises', done, total })
  for await (const batch of allEnterprises(db, options.batchSize ?? 5_000)) {
    await writer.write(batch.map(toEnterpriseDocument))
    for (const e of batch) indexed.add(e.uscc)
    done += batch.length
    onProgress?.({ kind: 'enterprises', done, total: Math.max(total, done) })
  }
  for await (const batch of allMarketEntities(db, options.batchSize ?? 5_000)) {
    await writer.write(batch.map(toMarketEntityDocument))
    for (const e of batch) indexed.add(e.uscc)
    done += batch.length
    onProgress?.({ kind: 'enterprises', done, total: Math.max(total, done) })
  }
  await writer.flush()
  await swapIn(search, live, fresh)

  const index = search.meili.index<EnterpriseDocument>(live)
  const changed = await enterprisesChangedSince(db, since)
  if (changed.length > 0) {
    assertSucceeded(await index.addDocuments(changed.map(toEnterpriseDocument)).waitTask())
  }
  for (const e of changed) indexed.add(e.uscc)
  const current = await allUsccs(db)
  // A market entity is still current (and not gone) while it is in the index's other half.
  const stillEntities = await marketEntitiesByUscc(
    db,
    [...indexed].filter((uscc) => !current.has(uscc)),
  )
  for (const m of stillEntities) current.add(m.uscc)
  const gone = [...indexed].filter((uscc) => !current.has(uscc))
  if (gone.length > 0) assertSucceeded(await index.deleteDocuments(gone).waitTask())
  logger.info(
    { index: live, documents: done, upserted: changed.length, deleted: gone.length },
    'enterprises index rebuilt and swapped in',
  )

  const count = await compareCounts(
    search,
    'enterprises',
    (await countEnterprises(db)) + (await countMarketEntities(db)),
  )
  return { count, caughtUp: { upserted: changed.length, deleted: gone.length } }
}

/**
 * Rebuilds the private complaints index from PostgreSQL, the same way: pages in id order, then
 * complaints written after the watermark again once the fresh index is live.
 */
async function rebuildComplaints(options: ReindexOptions, fresh: string) {
  const { db, search, logger, onProgress } = options
  const live = search.indexName('complaints')
  const since = await changeWatermark(db)
  const total = await countComplaints(db)
  const writer = pipelinedWriter(search, fresh)
  const batchSize = options.batchSize ?? 5_000
  let done = 0
  onProgress?.({ kind: 'complaints', done, total })
  for (let after = '0'; ;) {
    const ids = await complaintIdsAfter(db, after, batchSize)
    if (ids.length === 0) break
    const rows = await complaintsForIndex(db, ids)
    await writer.write(rows.map(toComplaintDocument))
    done += rows.length
    after = ids.at(-1)!
    onProgress?.({ kind: 'complaints', done, total: Math.max(total, done) })
  }
  await writer.flush()
  await swapIn(search, live, fresh)
  const changed = await complaintsForIndex(db, await complaintIdsChangedSince(db, since))
  if (changed.length > 0) {
    assertSucceeded(
      await search.meili.index(live).addDocuments(changed.map(toComplaintDocument)).waitTask(),
    )
  }
  logger.info(
    { index: live, documents: done, upserted: changed.length },
    'complaints index rebuilt and swapped in',
  )
  return compareCounts(search, 'complaints', await countComplaints(db))
}

/** Rebuilds the notices index from the Markdown files. */
async function rebuildNotices(options: ReindexOptions, fresh: string) {
  const { search, logger, onProgress } = options
  const live = search.indexName('notices')
  const notices = await readNotices(options.noticesDir ?? defaultNoticesDir)
  onProgress?.({ kind: 'notices', done: 0, total: notices.length })
  if (notices.length > 0) {
    assertSucceeded(await search.meili.index(fresh).addDocuments(notices).waitTask())
  }
  onProgress?.({ kind: 'notices', done: notices.length, total: notices.length })
  await swapIn(search, live, fresh)
  logger.info({ index: live, documents: notices.length }, 'notices index rebuilt and swapped in')
  return compareCounts(search, 'notices', notices.length)
}

/**
 * Rebuilds every index from its source of truth into a fresh index with the same settings and
 * swaps it in, so searches never see a missing or half-filled index. Leftover rebuild indexes of
 * an interrupted earlier run are deleted first (two rebuilds must not run at once). Returns the
 * document counts of source and index; `consistent` is false when any pair differs.
 */
export async function reindexAll(options: ReindexOptions): Promise<ReindexResult> {
  const { search, logger } = options
  const kinds = options.kinds ?? indexKinds
  const stamp = new Date().toISOString().replace(/\D/g, '')
  const uids = await indexUids(search.meili)
  for (const kind of kinds) {
    for (const uid of uids.filter((u) => u.startsWith(search.indexName(kind) + rebuildMarker))) {
      logger.warn({ index: uid }, 'deleting a leftover rebuild index')
      assertSucceeded(await search.meili.deleteIndex(uid).waitTask())
    }
  }

  const counts: IndexCount[] = []
  let caughtUp = { upserted: 0, deleted: 0 }
  for (const kind of kinds) {
    const fresh = `${search.indexName(kind)}${rebuildMarker}${stamp}`
    try {
      await ensureIndex(search, kind, fresh)
      if (kind === 'enterprises') {
        const rebuilt = await rebuildEnterprises(options, fresh)
        counts.push(rebuilt.count)
        caughtUp = rebuilt.caughtUp
      } else if (kind === 'complaints') {
        counts.push(await rebuildComplaints(options, fresh))
      } else {
        counts.push(await rebuildNotices(options, fresh))
      }
    } catch (error) {
      // The live index is untouched until the swap; only the half-built one has to go.
      // (A task that fails with index_not_found is fine: nothing was left behind.)
      await search.meili
        .deleteIndex(fresh)
        .waitTask()
        .catch((cleanupError: unknown) =>
          logger.warn(
            { index: fresh, err: String(cleanupError) },
            'could not delete rebuild index',
          ),
        )
      throw error
    }
  }
  return { counts, caughtUp, consistent: counts.every((c) => c.consistent) }
}
