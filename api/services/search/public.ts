import type { ServiceContext } from '../../deps.ts'
import { ApiError } from '../../errors.ts'
import type { SearchClient } from '../../search/client.ts'
import type { EnterpriseDocument } from '../../search/enterprise-documents.ts'
import type { NoticeDocument } from '../../search/notice-documents.ts'
import { asUsccPrefix } from '../enterprises/code-query.ts'
import { enterpriseItemFields, toItem } from '../enterprises/list.ts'
import { enterprisesByUsccPrefix } from '../../../db/queries/enterprises.ts'

/**
 * The two queries of a public search. Only the fields the answer shows are retrieved: a notice's
 * body is long and would be sent, parsed and dropped on every search.
 */
export function publicSearchQueries(search: SearchClient, q: string, limit: number) {
  return [
    {
      indexUid: search.indexName('enterprises'),
      q,
      limit,
      attributesToRetrieve: [...enterpriseItemFields],
    },
    {
      indexUid: search.indexName('notices'),
      q,
      limit: Math.min(limit, 10),
      attributesToRetrieve: ['slug', 'title', 'date', 'category', 'summary'],
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
    const found = await enterprisesByUsccPrefix(ctx.db, usccPrefix, input.limit)
    return { enterprises: found.map(toItem), notices: [] }
  }
  try {
    const { results } = await ctx.search.meili.multiSearch({
      queries: publicSearchQueries(ctx.search, input.q, input.limit),
    })
    const [enterprises, notices] = results
    return {
      enterprises: ((enterprises?.hits ?? []) as EnterpriseDocument[]).map(toItem),
      notices: ((notices?.hits ?? []) as NoticeDocument[]).map((n) => ({
        slug: n.slug,
        title: n.title,
        date: n.date,
        category: n.category,
        summary: n.summary,
      })),
    }
  } catch (error) {
    ctx.logger.warn({ err: String(error) }, 'public search failed')
    throw new ApiError(
      'SERVICE_UNAVAILABLE',
      '搜索服务暂时不可用，请稍后再试，或在名录页按区县和行业浏览。',
    )
  }
}
