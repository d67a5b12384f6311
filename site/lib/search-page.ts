import { directoryFacets, type DirectoryFacets } from '../../api/services/directory/facets.ts'
import { listEnterprises, type DirectoryPage } from '../../api/services/enterprises/list.ts'
import { ApiError } from '../../api/errors.ts'
import { countSearch } from '../../api/services/limits/search-limit.ts'
import { publicSearch } from '../../api/services/search/public.ts'
import { certificationStatuses, type CertificationStatus } from '../../db/database.ts'
import { clientAddressOf } from './complaint-client.ts'
import { pageSize } from './directory.ts'
import { serviceContext } from './services.ts'

export interface SearchQuery {
  q: string
  county: string | undefined
  sector: string | undefined
  status: CertificationStatus | undefined
  page: number
  /** Search the words as typed (the "按原词搜索" link): no county or sector read from them. */
  asTyped: boolean
}

type NoticeHit = Awaited<ReturnType<typeof publicSearch>>['notices'][number]
type MarketEntityHit = Awaited<ReturnType<typeof publicSearch>>['marketEntities'][number]

export type SearchOutcome =
  | { kind: 'empty' }
  /** Too many searches from this address this minute (SEARCH_LIMIT_PER_ADDRESS). */
  | { kind: 'limited'; message: string; retryAfterSeconds: number }
  | {
      kind: 'results'
      enterprises: DirectoryPage
      lastPage: number
      /** null when the notice search could not answer. */
      notices: NoticeHit[] | null
      /** Market entities (未认定) the text names, with their grade; empty without text. */
      marketEntities: MarketEntityHit[]
    }

const isStatus = (v: string): v is CertificationStatus =>
  (certificationStatuses as readonly string[]).includes(v)

/**
 * Reads the form's GET parameters. A value that is not one of the offered options is dropped
 * rather than answered with an error: these addresses get shared and bookmarked.
 */
export function parseSearchParams(params: URLSearchParams, facets: DirectoryFacets): SearchQuery {
  const q = (params.get('q') ?? '').trim().slice(0, 100)
  const county = params.get('county') ?? ''
  const sector = params.get('sector') ?? ''
  const status = params.get('status') ?? ''
  const page = Number(params.get('page') ?? '1')
  return {
    q,
    county: facets.counties.some((c) => c.value === county) ? county : undefined,
    sector: facets.sectors.some((s) => s.value === sector) ? sector : undefined,
    status: isStatus(status) ? status : undefined,
    page: Number.isInteger(page) && page >= 1 && page <= 10_000 ? page : 1,
    asTyped: params.get('typed') === '1',
  }
}

export async function loadSearchFacets(): Promise<DirectoryFacets> {
  return directoryFacets({ ctx: serviceContext() })
}

/**
 * The directory filtered (and searched, when there is text), plus matching notices. Text counts
 * against the client's searches per minute, as through the API.
 */
export async function runSearch(
  query: SearchQuery,
  client: { request: Request; peer: () => string },
): Promise<SearchOutcome> {
  if (!query.q && !query.county && !query.sector && !query.status) return { kind: 'empty' }
  const ctx = serviceContext()
  if (query.q) {
    try {
      await countSearch(ctx, clientAddressOf(client.request, client.peer))
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== 'RATE_LIMITED') throw error
      const { retryAfterSeconds } = error.details as { retryAfterSeconds: number }
      return { kind: 'limited', message: error.message, retryAfterSeconds }
    }
  }
  const [enterprises, notices] = await Promise.all([
    listEnterprises({
      ctx,
      input: {
        q: query.q || undefined,
        ...filtersOf(query),
        page: query.page,
        pageSize,
        asTyped: query.asTyped,
      },
    }),
    query.q
      ? publicSearch({ ctx, input: { q: query.q, limit: 5, asTyped: query.asTyped } }).then(
          (r) => r,
          () => null,
        )
      : Promise.resolve({ notices: [], marketEntities: [] }),
  ])
  return {
    kind: 'results',
    enterprises,
    lastPage: Math.max(1, Math.ceil(enterprises.total / pageSize)),
    notices: notices?.notices ?? null,
    marketEntities: notices?.marketEntities ?? [],
  }
}

function filtersOf(query: SearchQuery) {
  return { county: query.county, sector: query.sector, status: query.status }
}

/** The address of another page of the same search. */
export function searchPageUrl(query: SearchQuery, page: number): string {
  const params = new URLSearchParams()
  if (query.q) params.set('q', query.q)
  for (const [key, value] of Object.entries(filtersOf(query))) if (value) params.set(key, value)
  if (query.asTyped) params.set('typed', '1')
  if (page > 1) params.set('page', String(page))
  const text = params.toString()
  return text ? `/search?${text}` : '/search'
}

/** The same search with its words taken as typed, not as county or sector. */
export function asTypedUrl(query: SearchQuery): string {
  return searchPageUrl({ ...query, asTyped: true }, 1)
}

/** "已按 莲都区 · 加油站 筛选" when the words chose filters, else undefined. */
export function understoodText(page: DirectoryPage): string | undefined {
  const chosen = [page.understood?.county?.label, page.understood?.sector?.label].filter(Boolean)
  return chosen.length > 0 ? `已按 ${chosen.join(' · ')} 筛选` : undefined
}
