import type { CertificationStatus } from '../../../db/database.ts'
import {
  listEnterprises as listFromDb,
  type EnterpriseView,
} from '../../../db/queries/enterprises.ts'
import type { ServiceContext } from '../../deps.ts'
import { certifiedOnlyFilter, type EnterpriseDocument } from '../../search/enterprise-documents.ts'
import { asUsccPrefix } from './code-query.ts'
import type { EnterpriseItem } from './schemas.ts'

export interface ListEnterprisesInput {
  q?: string | undefined
  county?: string | undefined
  sector?: string | undefined
  status?: CertificationStatus | undefined
  page: number
  pageSize: number
}

export interface EnterprisePage {
  items: EnterpriseItem[]
  total: number
  page: number
  pageSize: number
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
}): Promise<EnterprisePage> {
  const { page, pageSize } = input
  const usccPrefix = asUsccPrefix(input.q)
  if (input.q && !usccPrefix) {
    try {
      const filter = [
        certifiedOnlyFilter,
        input.county && `county = ${quote(input.county)}`,
        input.sector && `sector = ${quote(input.sector)}`,
        input.status && `status = ${quote(input.status)}`,
      ].filter(Boolean) as string[]
      const result = await ctx.search.meili
        .index<EnterpriseDocument>(ctx.search.indexName('enterprises'))
        .search(input.q, { filter, page, hitsPerPage: pageSize })
      return { items: result.hits.map(toItem), total: result.totalHits, page, pageSize }
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
  return { items: items.map(toItem), total, page, pageSize }
}
