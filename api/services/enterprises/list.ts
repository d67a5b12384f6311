import type { CertificationStatus } from '../../../db/database.ts'
import {
  listEnterprises as listFromDb,
  type EnterpriseView,
} from '../../../db/queries/enterprises.ts'
import type { ServiceContext } from '../../deps.ts'
import { certifiedOnlyFilter, type EnterpriseDocument } from '../../search/enterprise-documents.ts'
import { understandQuery, type UnderstoodFilter } from '../../search/understand.ts'
import { asUsccPrefix } from '../../domain/uscc.ts'
import type { EnterpriseItem } from './schemas.ts'

export interface ListEnterprisesInput {
  q?: string | undefined
  county?: string | undefined
  sector?: string | undefined
  status?: CertificationStatus | undefined
  page: number
  pageSize: number
  /** Search the words as typed: no county or sector read from them. */
  asTyped?: boolean | undefined
}

export interface EnterprisePage {
  items: EnterpriseItem[]
  total: number
  page: number
  pageSize: number
}

/** A page of the public directory, with what its text was read as. */
export interface DirectoryPage extends EnterprisePage {
  /**
   * The county and sector the text's words chose (莲都加油站 → 莲都区 · 加油站); null when none
   * did, or when the filtered search found nothing and the words were searched as typed.
   */
  understood: { county: UnderstoodFilter | undefined; sector: UnderstoodFilter | undefined } | null
}

/** The fields of a business in every public list (what `toItem` reads). */
export const enterpriseItemFields = [
  'uscc',
  'name',
  'county',
  'countyName',
  'sector',
  'sectorName',
  'status',
  'statusSince',
  'certifiedAt',
  'validUntil',
  'address',
  'grade',
] as const satisfies readonly (keyof EnterpriseItem)[]

export function toItem(e: EnterpriseView | EnterpriseDocument): EnterpriseItem {
  return {
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
    // A document indexed before grades existed has none: treat it as not yet graded.
    grade: e.grade ?? null,
  }
}

const quote = (value: string) => `"${value.replace(/["\\]/g, (m) => `\\${m}`)}"`

/** The filter of a directory search, county and sector as understood or chosen. */
function directoryFilter(input: {
  county?: string | undefined
  sector?: string | undefined
  status?: string | undefined
}): string[] {
  return [
    certifiedOnlyFilter,
    input.county && `county = ${quote(input.county)}`,
    input.sector && `sector = ${quote(input.sector)}`,
    input.status && `status = ${quote(input.status)}`,
  ].filter(Boolean) as string[]
}

/**
 * The Meilisearch search a directory text query becomes, after reading county and sector words
 * from it; `plain` is the same words searched as typed, the fallback when `understood` finds
 * nothing. Every query is segmented as Chinese: left to guess, Meilisearch took short queries
 * such as 加油站 for Japanese and found nothing.
 */
function directorySearches(input: ListEnterprisesInput) {
  const q = input.q ?? ''
  const paging = { page: input.page, hitsPerPage: input.pageSize, locales: ['cmn' as const] }
  const plain = { q, filter: directoryFilter(input), ...paging }
  const read = input.asTyped ? undefined : understandQuery(q, input)
  if (!read || (!read.county && !read.sector)) return { plain, understood: undefined }
  const filter = directoryFilter({
    ...input,
    county: input.county ?? read.county?.value,
    sector: input.sector ?? read.sector?.value,
  })
  return {
    plain,
    understood: {
      search: { q: read.text, filter, ...paging },
      filters: { county: read.county, sector: read.sector },
    },
  }
}

/**
 * The directory: filters alone are answered by PostgreSQL; a text query goes to the search index
 * (Chinese word segmentation, typo tolerance) and falls back to a substring match in PostgreSQL
 * when Meilisearch is unavailable, so the directory never goes dark.
 */
export async function listEnterprises({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: ListEnterprisesInput
}): Promise<DirectoryPage> {
  const { page, pageSize } = input
  const usccPrefix = asUsccPrefix(input.q)
  if (input.q && !usccPrefix) {
    try {
      const index = ctx.search.meili.index<EnterpriseDocument>(ctx.search.indexName('enterprises'))
      const { plain, understood } = directorySearches(input)
      if (understood) {
        const { q, ...params } = understood.search
        const result = await index.search(q, params)
        // A word that only looked like a county or sector still finds its business as typed.
        if (result.totalHits > 0) {
          const items = result.hits.map(toItem)
          return { items, total: result.totalHits, page, pageSize, understood: understood.filters }
        }
      }
      const { q, ...params } = plain
      const result = await index.search(q, params)
      return {
        items: result.hits.map(toItem),
        total: result.totalHits,
        page,
        pageSize,
        understood: null,
      }
    } catch (error) {
      ctx.logger.warn({ err: String(error) }, 'search unavailable, directory falls back to SQL')
    }
  }
  const { items, total } = await listFromDb(
    ctx.db,
    {
      county: input.county,
      sector: input.sector,
      status: input.status,
      ...(usccPrefix ? { usccPrefix } : { text: input.q }),
    },
    { offset: (page - 1) * pageSize, limit: pageSize },
  )
  return { items: items.map(toItem), total, page, pageSize, understood: null }
}
