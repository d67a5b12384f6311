import { allEnterprises } from '../../api/services/directory/all.ts'
import { directoryFacets, type DirectoryFacets } from '../../api/services/directory/facets.ts'
import type { EnterpriseItem } from '../../api/services/enterprises/schemas.ts'
import { serviceContext } from './services.ts'

/** Rows per directory page. */
export const pageSize = 20

/** The directory's one-dimension filters, each with prerendered pages. */
export const facetNames = ['county', 'sector', 'status', 'grade'] as const
export type Facet = (typeof facetNames)[number]

export const facetLabels: Record<Facet, string> = {
  county: '区县',
  sector: '行业',
  status: '认定状态',
  grade: '信用等级',
}

const facetKey: Record<Facet, keyof DirectoryFacets> = {
  county: 'counties',
  sector: 'sectors',
  status: 'statuses',
  grade: 'grades',
}

export interface ActiveFilter {
  facet: Facet
  value: string
  label: string
}

export interface DirectoryPageProps {
  items: EnterpriseItem[]
  page: number
  lastPage: number
  total: number
  /** The first page's address, e.g. `/enterprises/` or `/enterprises/county/331102/`. */
  baseUrl: string
  filter: ActiveFilter | null
  facets: DirectoryFacets
}

export const directoryUrl = '/enterprises/'
export const facetUrl = (facet: Facet, value: string) => `${directoryUrl}${facet}/${value}/`
export const enterpriseUrl = (uscc: string) => `${directoryUrl}${uscc}/`
export const pageUrl = (baseUrl: string, page: number) =>
  page <= 1 ? baseUrl : `${baseUrl}page/${page}/`

interface Directory {
  items: EnterpriseItem[]
  facets: DirectoryFacets
}

let loaded: Promise<Directory> | undefined

/**
 * The whole directory, read once per build in batches; every directory page is a slice of it,
 * so building a thousand pages costs a handful of queries.
 */
function loadDirectory(): Promise<Directory> {
  loaded ??= (async () => {
    const ctx = serviceContext()
    const items: EnterpriseItem[] = []
    for await (const batch of allEnterprises({ ctx, input: { batchSize: 2000 } })) {
      items.push(...batch)
    }
    return { items, facets: await directoryFacets({ ctx }) }
  })()
  return loaded
}

function pages(
  items: EnterpriseItem[],
  baseUrl: string,
  filter: ActiveFilter | null,
  facets: DirectoryFacets,
) {
  const lastPage = Math.max(1, Math.ceil(items.length / pageSize))
  return Array.from({ length: lastPage }, (_, i) => {
    const page = i + 1
    const props: DirectoryPageProps = {
      items: items.slice(i * pageSize, page * pageSize),
      page,
      lastPage,
      total: items.length,
      baseUrl,
      filter,
      facets,
    }
    // `[...page]` is empty on the first page and `page/N` after it.
    return { page: page === 1 ? undefined : `page/${page}`, props }
  })
}

/** Static paths of /enterprises/ and /enterprises/page/N/. */
export async function directoryPaths() {
  const { items, facets } = await loadDirectory()
  return pages(items, directoryUrl, null, facets).map(({ page, props }) => ({
    params: { page },
    props,
  }))
}

/** Static paths of /enterprises/<facet>/<value>/ and its /page/N/, for every option. */
export async function facetPaths() {
  const { items, facets } = await loadDirectory()
  return facetNames.flatMap((facet) =>
    facets[facetKey[facet]].flatMap((option) => {
      const filter: ActiveFilter = { facet, value: option.value, label: option.label }
      const matching = items.filter((e) => e[facet] === option.value)
      return pages(matching, facetUrl(facet, option.value), filter, facets).map(
        ({ page, props }) => ({ params: { facet, value: option.value, page }, props }),
      )
    }),
  )
}

/** The options of one facet with their counts, each linking to its prerendered page. */
export function facetOptions(facets: DirectoryFacets, facet: Facet) {
  return facets[facetKey[facet]].map((o) => ({ ...o, href: facetUrl(facet, o.value) }))
}
