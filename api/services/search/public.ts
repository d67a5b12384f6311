import type { ServiceContext } from '../../deps.ts'
import { ApiError } from '../../errors.ts'
import type { SearchClient } from '../../search/client.ts'
import {
  certifiedOnlyFilter,
  type EnterpriseDocument,
  type MarketEntityDocument,
} from '../../search/enterprise-documents.ts'
import type { NoticeDocument } from '../../search/notice-documents.ts'
import { asUsccPrefix } from '../../domain/uscc.ts'
import { understandQuery } from '../../search/understand.ts'
import { enterpriseItemFields, toItem } from '../enterprises/list.ts'
import { enterprisesByUsccPrefix } from '../../../db/queries/enterprises.ts'
import { marketEntitiesByUsccPrefix } from '../../../db/queries/market-entities.ts'

/** The fields of a market entity a search answer shows (no certification: it has none). */
const marketEntityFields = [
  'uscc',
  'name',
  'county',
  'countyName',
  'sector',
  'sectorName',
  'address',
  'grade',
] as const satisfies readonly (keyof MarketEntityDocument)[]

type MarketEntityHit = Pick<MarketEntityDocument, (typeof marketEntityFields)[number]>

const toMarketEntityHit = (m: MarketEntityHit): MarketEntityHit => ({
  uscc: m.uscc,
  name: m.name,
  county: m.county,
  countyName: m.countyName,
  sector: m.sector,
  sectorName: m.sectorName,
  address: m.address,
  grade: m.grade,
})

const quote = (value: string) => `"${value.replace(/["\\]/g, (m) => `\\${m}`)}"`

/**
 * The queries of a public search: certified businesses, market entities (市场主体 named in the
 * credit record, not certified) and notices. Only the fields the answer shows are retrieved: a
 * notice's body is long and would be sent, parsed and dropped on every search. `text` and
 * `filters` are what the businesses are searched with (after reading county and sector words);
 * notices have neither county nor sector and are searched with the words as typed.
 */
function queriesFor(
  search: SearchClient,
  q: string,
  limit: number,
  business: { text: string; filters: string[] },
) {
  return [
    {
      indexUid: search.indexName('enterprises'),
      q: business.text,
      limit,
      filter: [certifiedOnlyFilter, ...business.filters],
      attributesToRetrieve: [...enterpriseItemFields],
      locales: ['cmn' as const],
    },
    {
      indexUid: search.indexName('notices'),
      q,
      limit: Math.min(limit, 10),
      attributesToRetrieve: ['slug', 'title', 'date', 'category', 'summary'],
      locales: ['cmn' as const],
    },
    {
      indexUid: search.indexName('enterprises'),
      q: business.text,
      limit: Math.min(limit, 10),
      filter: ['certified = false', ...business.filters],
      attributesToRetrieve: [...marketEntityFields],
      locales: ['cmn' as const],
    },
  ]
}

/**
 * What a public search sends to Meilisearch: `first`, and `asTyped` (the words searched as typed)
 * when `first` used county or sector words as filters and found no business.
 */
export function publicSearchPlan(
  search: SearchClient,
  input: { q: string; limit: number; asTyped?: boolean | undefined },
) {
  const plain = queriesFor(search, input.q, input.limit, { text: input.q, filters: [] })
  const read = input.asTyped ? undefined : understandQuery(input.q, {})
  if (!read || (!read.county && !read.sector)) {
    return { first: plain, asTyped: undefined, understood: undefined }
  }
  const filters = [
    read.county && `county = ${quote(read.county.value)}`,
    read.sector && `sector = ${quote(read.sector.value)}`,
  ].filter((f): f is string => typeof f === 'string')
  return {
    first: queriesFor(search, input.q, input.limit, { text: read.text, filters }),
    asTyped: plain,
    understood: { county: read.county, sector: read.sector },
  }
}

/** One query across the public indexes only; the private complaints index is never touched. */
export async function publicSearch({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { q: string; limit: number; asTyped?: boolean | undefined }
}) {
  const usccPrefix = asUsccPrefix(input.q)
  if (usccPrefix) {
    // A credit code (or its start) names businesses, never notices.
    const [found, entities] = await Promise.all([
      enterprisesByUsccPrefix(ctx.db, usccPrefix, input.limit),
      marketEntitiesByUsccPrefix(ctx.db, usccPrefix, Math.min(input.limit, 10)),
    ])
    return {
      understood: null,
      enterprises: found.map(toItem),
      notices: [],
      marketEntities: entities.map(toMarketEntityHit),
    }
  }
  try {
    const plan = publicSearchPlan(ctx.search, input)
    let { results } = await ctx.search.meili.multiSearch({ queries: plan.first })
    let understood = plan.understood ?? null
    const foundBusiness = (n: number) => (results[n]?.hits.length ?? 0) > 0
    if (plan.asTyped && !foundBusiness(0) && !foundBusiness(2)) {
      // A word that only looked like a county or sector still finds its business as typed.
      ;({ results } = await ctx.search.meili.multiSearch({ queries: plan.asTyped }))
      understood = null
    }
    const [enterprises, notices, entities] = results
    return {
      understood,
      enterprises: ((enterprises?.hits ?? []) as EnterpriseDocument[]).map(toItem),
      notices: ((notices?.hits ?? []) as NoticeDocument[]).map((n) => ({
        slug: n.slug,
        title: n.title,
        date: n.date,
        category: n.category,
        summary: n.summary,
      })),
      marketEntities: ((entities?.hits ?? []) as MarketEntityHit[]).map(toMarketEntityHit),
    }
  } catch (error) {
    ctx.logger.warn({ err: String(error) }, 'public search failed')
    throw new ApiError(
      'SERVICE_UNAVAILABLE',
      '搜索服务暂时不可用，请稍后再试，或在名录页按区县和行业浏览。',
    )
  }
}
