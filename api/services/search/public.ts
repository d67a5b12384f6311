import type { ServiceContext } from '../../deps.ts'
import { ApiError } from '../../errors.ts'
import type { SearchClient } from '../../search/client.ts'
import {
  certifiedOnlyFilter,
  type EnterpriseDocument,
  type MarketEntityDocument,
} from '../../search/enterprise-documents.ts'
import type { NoticeDocument } from '../../search/notice-documents.ts'
import { asUsccPrefix } from '../enterprises/code-query.ts'
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

/**
 * The queries of a public search: certified businesses, market entities (市场主体 named in the
 * credit record, not certified) and notices. Only the fields the answer shows are retrieved: a
 * notice's body is long and would be sent, parsed and dropped on every search.
 */
export function publicSearchQueries(search: SearchClient, q: string, limit: number) {
  return [
    {
      indexUid: search.indexName('enterprises'),
      q,
      limit,
      filter: certifiedOnlyFilter,
      attributesToRetrieve: [...enterpriseItemFields],
    },
    {
      indexUid: search.indexName('notices'),
      q,
      limit: Math.min(limit, 10),
      attributesToRetrieve: ['slug', 'title', 'date', 'category', 'summary'],
    },
    {
      indexUid: search.indexName('enterprises'),
      q,
      limit: Math.min(limit, 10),
      filter: 'certified = false',
      attributesToRetrieve: [...marketEntityFields],
    },
  ]
}

/** One query across the public indexes only; the private complaints index is never touched. */
export async function publicSearch({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { q: string; limit: number }
}) {
  const usccPrefix = asUsccPrefix(input.q)
  if (usccPrefix) {
    // A credit code (or its start) names businesses, never notices.
    const [found, entities] = await Promise.all([
      enterprisesByUsccPrefix(ctx.db, usccPrefix, input.limit),
      marketEntitiesByUsccPrefix(ctx.db, usccPrefix, Math.min(input.limit, 10)),
    ])
    return {
      enterprises: found.map(toItem),
      notices: [],
      marketEntities: entities.map(toMarketEntityHit),
    }
  }
  try {
    const { results } = await ctx.search.meili.multiSearch({
      queries: publicSearchQueries(ctx.search, input.q, input.limit),
    })
    const [enterprises, notices, entities] = results
    return {
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
