import { complaintStatuses, type ComplaintStatus } from '../../../../db/database.ts'
import {
  countByStatus,
  listQueue,
  queueRowsByIds,
  type QueueFilter,
  type QueueRow,
} from '../../../../db/queries/cases.ts'
import type { ServiceContext } from '../../../deps.ts'
import type { ComplaintDocument } from '../../../search/complaint-indexer.ts'
import { normalizeTrackingNo, trackingNoPattern } from '../../../domain/tracking-codes.ts'
import { maskPersonalNumbers } from '../../../domain/masks.ts'
import { mayRevealPersonalData, type SignedInOperator } from '../access.ts'
import { dueSoonLimit, openStatuses } from './deadlines.ts'
import type { CaseQueue, CaseQueueQuery } from './schemas.ts'
import { queueCounty } from './scope.ts'
import { toQueueItem } from './view.ts'

const quote = (value: string) => `"${value.replace(/["\\]/g, (m) => `\\${m}`)}"`
const seconds = (d: Date) => Math.floor(d.getTime() / 1000)

/** The private index's filter for the same question the SQL filter asks. */
function searchFilter(f: QueueFilter): string[] {
  return [
    f.county !== null && `county = ${quote(f.county)}`,
    f.status && `status = ${quote(f.status)}`,
    f.category && `category = ${quote(f.category)}`,
    f.kind && `kind = ${quote(f.kind)}`,
    f.channel && `channel = ${quote(f.channel)}`,
    f.due && `status IN [${openStatuses.map(quote).join(', ')}]`,
    f.due && `dueAt < ${seconds(f.due.before)}`,
    f.due?.from && `dueAt >= ${seconds(f.due.from)}`,
  ].filter((c): c is string => typeof c === 'string')
}

/**
 * What the queue asks the private index, beside the words (bench/queue-search.ts sends the same
 * straight to Meilisearch as its baseline).
 */
export function queueSearchParams(filter: QueueFilter, page: number, pageSize: number) {
  return {
    filter: searchFilter(filter),
    // Supervised and urged 12345 cases first, as in the SQL queue (listQueue).
    sort: ['priority:desc', 'dueAt:asc'],
    // Every word must match: results are ordered by due date, not relevance, so a case that
    // shares one word with the query would otherwise sit among the real hits.
    matchingStrategy: 'all' as const,
    page,
    hitsPerPage: pageSize,
    attributesToRetrieve: ['id'],
  }
}

/**
 * Full text through the private index, sorted by due date. The index only proposes ids: the rows
 * shown are read again from PostgreSQL within the operator's county, so a document the index has
 * not caught up with (a case just assigned elsewhere) never shows another county's case.
 */
async function searchQueue(
  ctx: ServiceContext,
  q: string,
  filter: QueueFilter,
  page: number,
  pageSize: number,
): Promise<{ rows: QueueRow[]; total: number }> {
  const result = await ctx.search.meili
    .index<ComplaintDocument>(ctx.search.indexName('complaints'))
    .search(q, queueSearchParams(filter, page, pageSize))
  const ids = result.hits.map((h) => h.id)
  const rows = await queueRowsByIds(ctx.db, ids, filter.county)
  const byId = new Map(rows.map((r) => [r.id, r]))
  return {
    rows: ids.map((id) => byId.get(id)).filter((r): r is QueueRow => r !== undefined),
    total: result.totalHits,
  }
}

/** How long the counts per status of one scope are reused (bench/queue-search.ts). */
const countsTtlMs = 5_000
const countsMemo = new WeakMap<
  ServiceContext['db'],
  Map<string, { at: number; counts: Promise<Map<ComplaintStatus, number>> }>
>()

/**
 * The counts per status above the queue. Counting a county's cases costs ~9 ms at 200,000
 * complaints, paid by every page and search, so each process reuses a scope's counts for a few
 * seconds; an action taken here forgets them at once (forgetStatusCounts), so a handler sees
 * their own change. Changes made through another instance show within `countsTtlMs`.
 */
function statusCounts(ctx: ServiceContext, county: string | null, now: Date) {
  let byScope = countsMemo.get(ctx.db)
  if (!byScope) {
    byScope = new Map()
    countsMemo.set(ctx.db, byScope)
  }
  const key = county ?? '*'
  const cached = byScope.get(key)
  if (cached && now.getTime() - cached.at < countsTtlMs) return cached.counts
  const counts = countByStatus(ctx.db, county)
  byScope.set(key, { at: now.getTime(), counts })
  // A failed count is not kept: the next page asks again.
  counts.catch(() => {
    if (byScope.get(key)?.counts === counts) byScope.delete(key)
  })
  return counts
}

/** Called after a case changed: the next queue page counts again. */
export function forgetStatusCounts(ctx: Pick<ServiceContext, 'db'>) {
  countsMemo.delete(ctx.db)
}

/**
 * The queue (GET /api/admin/cases): the cases the operator may see, earliest due date first,
 * with days left on the holiday calendar and the counts per status in the operator's scope.
 * Filters alone are answered by PostgreSQL; `q` goes to the private index with the county filter
 * the server adds, and falls back to a substring match if the index is unavailable.
 */
export async function listCases({
  ctx,
  operator,
  input,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  input: CaseQueueQuery
}): Promise<CaseQueue> {
  const now = new Date()
  const county = queueCounty(operator, input.county)
  const due =
    input.overdue || input.dueSoon
      ? {
          before: input.dueSoon ? dueSoonLimit(ctx.calendar, now) : now,
          from: input.overdue ? undefined : now,
        }
      : undefined
  const filter: QueueFilter = {
    county,
    status: input.status,
    category: input.category,
    kind: input.kind,
    channel: input.channel,
    due,
  }
  const { q, page, pageSize } = input
  const findRows = async () => {
    const paging = { offset: (page - 1) * pageSize, limit: pageSize }
    // A whole tracking number names one case: looked up exactly, not ranked among its neighbours
    // (the index's typo tolerance would also offer JL…-00002 for JL…-00001).
    const trackingNo = q && normalizeTrackingNo(q)
    if (trackingNo && trackingNoPattern.test(trackingNo)) {
      return listQueue(ctx.db, { ...filter, trackingNo }, paging)
    }
    if (q) {
      try {
        return await searchQueue(ctx, q, filter, page, pageSize)
      } catch (error) {
        ctx.logger.warn({ err: String(error) }, 'complaints index unavailable, queue uses SQL')
      }
    }
    // The substring match reads the business and address as typed, unmasked: a viewer's words
    // would find a case by a phone number in them, which the masked index never does. A viewer
    // gets the tracking-number match only while the index is down.
    const text = mayRevealPersonalData(operator) ? { text: q } : { trackingNoLike: q }
    return listQueue(ctx.db, { ...filter, ...text }, paging)
  }
  const [found, counts] = await Promise.all([findRows(), statusCounts(ctx, county, now)])
  const reveal = mayRevealPersonalData(operator)
  return {
    items: found.rows.map((r) => {
      const item = toQueueItem(r, ctx.calendar, now)
      // The business a resident named is free text: it may carry their phone.
      return reveal ? item : { ...item, merchantName: maskPersonalNumbers(item.merchantName) }
    }),
    total: found.total,
    page,
    pageSize,
    counts: Object.fromEntries(
      complaintStatuses.map((s) => [s, counts.get(s) ?? 0]),
    ) as CaseQueue['counts'],
  }
}
